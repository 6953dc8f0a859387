// Round trip of tian.reduce_prod: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @reduce_prod_0
// CHECK: tian.reduce_prod %{{.*}} axes = [1] keepdims : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
func.func @reduce_prod_0(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = tian.reduce_prod %x axes = [1] keepdims : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_prod_1
// CHECK: tian.reduce_prod %{{.*}} axes = [0, 2] : tensor<2x3x4xi32> -> tensor<3xi32>
func.func @reduce_prod_1(%x: tensor<2x3x4xi32>) -> tensor<3xi32> {
  %0 = tian.reduce_prod %x axes = [0, 2] : tensor<2x3x4xi32> -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// CHECK-LABEL: func.func @reduce_prod_2
// CHECK: tian.reduce_prod %{{.*}} axes = [0] : tensor<5xf16> -> tensor<f16>
func.func @reduce_prod_2(%x: tensor<5xf16>) -> tensor<f16> {
  %0 = tian.reduce_prod %x axes = [0] : tensor<5xf16> -> tensor<f16>
  return %0 : tensor<f16>
}
