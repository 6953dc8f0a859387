// RUN: tian-opt %s --pass-pipeline="builtin.module(tian-optimize{fusion=true rows=true blocked-matmuls=true},func.func(convert-tian-to-linalg,tian-fuse-groups,canonicalize,tian-tile-row-groups),canonicalize,cse)" 2>&1 | FileCheck %s

// A row group that also returns its row statistics (the mean, 1 / std):
// the fused generic writing them through (d0, 0) cannot be tiled by rows, so
// it stays outside the row loop, computed whole, without an error (upstream
// tiling reported one that the pass did not fail on, and the Python
// bindings abort the process on such an error; found by an ONNX node test).
// CHECK-NOT: error
// CHECK-LABEL: func.func @row_statistics
// CHECK: scf.forall
func.func @row_statistics(%arg0: tensor<24x5xf32>, %arg1: tensor<1x5xf32>) -> (tensor<24x5xf32>, tensor<24x1xf32>, tensor<24x1xf32>) {
  %1 = tian.reduce_mean %arg0 axes = [1] keepdims : tensor<24x5xf32> -> tensor<24x1xf32>
  %2 = tian.mul %arg0, %arg0 : tensor<24x5xf32>, tensor<24x5xf32> -> tensor<24x5xf32>
  %3 = tian.reduce_mean %2 axes = [1] keepdims : tensor<24x5xf32> -> tensor<24x1xf32>
  %4 = tian.mul %1, %1 : tensor<24x1xf32>, tensor<24x1xf32> -> tensor<24x1xf32>
  %5 = tian.sub %3, %4 : tensor<24x1xf32>, tensor<24x1xf32> -> tensor<24x1xf32>
  %6 = tian.constant dense<9.99999974E-6> : tensor<f32>
  %7 = tian.add %5, %6 : tensor<24x1xf32>, tensor<f32> -> tensor<24x1xf32>
  %8 = tian.sqrt %7 : tensor<24x1xf32>
  %9 = tian.sub %arg0, %1 : tensor<24x5xf32>, tensor<24x1xf32> -> tensor<24x5xf32>
  %10 = tian.div %9, %8 : tensor<24x5xf32>, tensor<24x1xf32> -> tensor<24x5xf32>
  %12 = tian.mul %10, %arg1 : tensor<24x5xf32>, tensor<1x5xf32> -> tensor<24x5xf32>
  %16 = tian.constant dense<1.000000e+00> : tensor<f32>
  %17 = tian.div %16, %8 : tensor<f32>, tensor<24x1xf32> -> tensor<24x1xf32>
  return %12, %1, %17 : tensor<24x5xf32>, tensor<24x1xf32>, tensor<24x1xf32>
}
