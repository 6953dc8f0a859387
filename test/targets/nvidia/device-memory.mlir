// RUN: tian-opt %s --split-input-file --tian-device-memory | FileCheck %s

// Temporaries are device allocations; copies between buffers are device
// copies; kernels are left alone.
// CHECK-LABEL: func.func @temporaries
// CHECK: %[[T:.*]] = gpu.alloc () : memref<16xf32>
// CHECK: gpu.launch
// CHECK: memref.store %{{.*}}, %[[T]]
// CHECK: gpu.terminator
// CHECK: gpu.memcpy %{{.*}}, %[[T]] : memref<16xf32>, memref<16xf32>
// CHECK: gpu.dealloc %[[T]] : memref<16xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
func.func @temporaries(%out: memref<16xf32>) {
  %t = memref.alloc() : memref<16xf32>
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %v = arith.constant 2.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    memref.store %v, %t[%c0] : memref<16xf32>
    gpu.terminator
  }
  memref.copy %t, %out : memref<16xf32> to memref<16xf32>
  memref.dealloc %t : memref<16xf32>
  return
}

// -----

// A constant gets a device copy, uploaded where it is read and freed before
// the function returns.
// CHECK-LABEL: func.func @constant
// CHECK: %[[HOST:.*]] = memref.get_global @table : memref<4xf32>
// CHECK-NEXT: %[[DEV:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT: gpu.memcpy %[[DEV]], %[[HOST]] : memref<4xf32>, memref<4xf32>
// CHECK: memref.load %[[DEV]]
// CHECK: gpu.dealloc %[[DEV]] : memref<4xf32>
// CHECK-NEXT: return
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @constant(%out: memref<4xf32>) {
  %g = memref.get_global @table : memref<4xf32>
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    %v = memref.load %g[%c0] : memref<4xf32>
    memref.store %v, %out[%c0] : memref<4xf32>
    gpu.terminator
  }
  return
}
