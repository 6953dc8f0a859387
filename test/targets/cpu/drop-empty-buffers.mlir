// RUN: tian-opt %s --tian-drop-empty-buffers | FileCheck %s

// Copies of nothing go, then the global they read; the empty arguments left
// unused become memref<0xT>, which the bare-pointer convention lowers.
// CHECK-NOT: memref.global
// CHECK-LABEL: func.func @f
// CHECK-SAME: (%{{.*}}: memref<0xf32>, %{{.*}}: memref<0xf32>, %[[N:.*]]: memref<3xf32>, %[[M:.*]]: memref<3xf32>)
// CHECK-NEXT: memref.copy %[[N]], %[[M]]
// CHECK-NEXT: return
memref.global "private" constant @__constant_4x0xf32 : memref<4x0xf32> = dense<0.0>
func.func @f(%in: memref<4x0xf32>, %out: memref<4x0xf32>, %n: memref<3xf32>, %m: memref<3xf32>) {
  %0 = memref.get_global @__constant_4x0xf32 : memref<4x0xf32>
  memref.copy %0, %out : memref<4x0xf32> to memref<4x0xf32>
  %t = memref.alloc() : memref<0x2xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]} outs(%t : memref<0x2xf32>) {
  ^bb0(%o: f32):
    linalg.yield %o : f32
  }
  memref.dealloc %t : memref<0x2xf32>
  memref.copy %n, %m : memref<3xf32> to memref<3xf32>
  return
}
