// Round trip of tian.squeeze: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @squeeze_0
// CHECK: tian.squeeze %{{.*}} axes = [0, 2] : tensor<1x3x1x4xf32> -> tensor<3x4xf32>
func.func @squeeze_0(%x: tensor<1x3x1x4xf32>) -> tensor<3x4xf32> {
  %0 = tian.squeeze %x axes = [0, 2] : tensor<1x3x1x4xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
