// Round trip of tian.acos: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @acos_0
// CHECK: tian.acos %{{.*}} : tensor<2x3xf32>
func.func @acos_0(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.acos %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @acos_1
// CHECK: tian.acos %{{.*}} : tensor<4xf16>
func.func @acos_1(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = tian.acos %x : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @acos_2
// CHECK: tian.acos %{{.*}} : tensor<8xbf16>
func.func @acos_2(%x: tensor<8xbf16>) -> tensor<8xbf16> {
  %0 = tian.acos %x : tensor<8xbf16>
  return %0 : tensor<8xbf16>
}
