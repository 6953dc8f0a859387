// Round trip of tian.reshape: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @reshape_0
// CHECK: tian.reshape %{{.*}} to [6, 4] : tensor<2x3x4xf32> -> tensor<6x4xf32>
func.func @reshape_0(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = tian.reshape %x to [6, 4] : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_1
// CHECK: tian.reshape %{{.*}} to [] : tensor<1xi64> -> tensor<i64>
func.func @reshape_1(%x: tensor<1xi64>) -> tensor<i64> {
  %0 = tian.reshape %x to [] : tensor<1xi64> -> tensor<i64>
  return %0 : tensor<i64>
}
