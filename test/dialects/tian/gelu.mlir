// Round trip of tian.gelu: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @gelu_0
// CHECK: tian.gelu %{{.*}} : tensor<2x3xf32>
func.func @gelu_0(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.gelu %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @gelu_1
// CHECK: tian.gelu %{{.*}} approximate = tanh : tensor<2x3xf32>
func.func @gelu_1(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.gelu %x approximate = tanh : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
