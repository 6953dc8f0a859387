// RUN: tian-opt %s --tian-merge-identical-kernels | FileCheck %s

// Two layers of the same shapes (their ops differing only in the fusion
// group they came from) share one kernel; a kernel with another constant,
// and the public entry point, stay.
// CHECK-LABEL: func.func @model
// CHECK-NEXT: call @model_kernel0(%arg0, %arg1)
// CHECK-NEXT: call @model_kernel0(%arg1, %arg2)
// CHECK-NEXT: call @model_kernel2(%arg2, %arg1)
// CHECK-NEXT: return
// CHECK: func.func private @model_kernel0(%{{.*}}: memref<64xf32> {llvm.noalias}, %{{.*}}: memref<64xf32> {llvm.noalias})
// CHECK-NOT: tian.fusion_group
// CHECK-NOT: @model_kernel1
// CHECK: func.func private @model_kernel2
// CHECK: arith.constant 2.0
// CHECK-NOT: @model_kernel1
func.func @model(%a: memref<64xf32>, %b: memref<64xf32>, %c: memref<64xf32>) {
  call @model_kernel0(%a, %b) : (memref<64xf32>, memref<64xf32>) -> ()
  call @model_kernel1(%b, %c) : (memref<64xf32>, memref<64xf32>) -> ()
  call @model_kernel2(%c, %b) : (memref<64xf32>, memref<64xf32>) -> ()
  return
}
func.func private @model_kernel0(%in: memref<64xf32> {llvm.noalias}, %out: memref<64xf32> {llvm.noalias}) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%in : memref<64xf32>) outs(%out : memref<64xf32>) attrs = {tian.fusion_group = 0 : i64} {
  ^bb0(%x: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %y = arith.addf %x, %one : f32
    linalg.yield %y : f32
  }
  return
}
func.func private @model_kernel1(%in: memref<64xf32> {llvm.noalias}, %out: memref<64xf32> {llvm.noalias}) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%in : memref<64xf32>) outs(%out : memref<64xf32>) attrs = {tian.fusion_group = 3 : i64} {
  ^bb0(%x: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %y = arith.addf %x, %one : f32
    linalg.yield %y : f32
  }
  return
}
func.func private @model_kernel2(%in: memref<64xf32> {llvm.noalias}, %out: memref<64xf32> {llvm.noalias}) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%in : memref<64xf32>) outs(%out : memref<64xf32>) attrs = {tian.fusion_group = 4 : i64} {
  ^bb0(%x: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %y = arith.addf %x, %two : f32
    linalg.yield %y : f32
  }
  return
}
