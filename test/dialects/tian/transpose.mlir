// Round trip of tian.transpose: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @transpose_0
// CHECK: tian.transpose %{{.*}} perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
func.func @transpose_0(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = tian.transpose %x perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_1
// CHECK: tian.transpose %{{.*}} perm = [1, 0] : tensor<5x7xi1> -> tensor<7x5xi1>
func.func @transpose_1(%x: tensor<5x7xi1>) -> tensor<7x5xi1> {
  %0 = tian.transpose %x perm = [1, 0] : tensor<5x7xi1> -> tensor<7x5xi1>
  return %0 : tensor<7x5xi1>
}
