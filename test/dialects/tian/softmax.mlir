// Round trip of tian.softmax: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @softmax_0
// CHECK: tian.softmax %{{.*}} axis = 1 : tensor<4x10xf32>
func.func @softmax_0(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  %0 = tian.softmax %x axis = 1 : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// CHECK-LABEL: func.func @softmax_1
// CHECK: tian.softmax %{{.*}} axis = 0 : tensor<2x4x8xbf16>
func.func @softmax_1(%x: tensor<2x4x8xbf16>) -> tensor<2x4x8xbf16> {
  %0 = tian.softmax %x axis = 0 : tensor<2x4x8xbf16>
  return %0 : tensor<2x4x8xbf16>
}
