// Round trip of tian.argmax: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @argmax_0
// CHECK: tian.argmax %{{.*}} axis = 1 : tensor<2x10xf32> -> tensor<2xi64>
func.func @argmax_0(%x: tensor<2x10xf32>) -> tensor<2xi64> {
  %0 = tian.argmax %x axis = 1 : tensor<2x10xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @argmax_1
// CHECK: tian.argmax %{{.*}} axis = 0 keepdims : tensor<2x10xi32> -> tensor<1x10xi64>
func.func @argmax_1(%x: tensor<2x10xi32>) -> tensor<1x10xi64> {
  %0 = tian.argmax %x axis = 0 keepdims : tensor<2x10xi32> -> tensor<1x10xi64>
  return %0 : tensor<1x10xi64>
}
