// Round trip of tian.expand_dims: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @expand_dims_0
// CHECK: tian.expand_dims %{{.*}} axes = [0, 3] : tensor<3x4xf32> -> tensor<1x3x4x1xf32>
func.func @expand_dims_0(%x: tensor<3x4xf32>) -> tensor<1x3x4x1xf32> {
  %0 = tian.expand_dims %x axes = [0, 3] : tensor<3x4xf32> -> tensor<1x3x4x1xf32>
  return %0 : tensor<1x3x4x1xf32>
}
