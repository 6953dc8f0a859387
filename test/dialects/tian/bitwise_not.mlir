// Round trip of tian.bitwise_not: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @bitwise_not_0
// CHECK: tian.bitwise_not %{{.*}} : tensor<2x3xi32>
func.func @bitwise_not_0(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0 = tian.bitwise_not %x : tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// CHECK-LABEL: func.func @bitwise_not_1
// CHECK: tian.bitwise_not %{{.*}} : tensor<4xi8>
func.func @bitwise_not_1(%x: tensor<4xi8>) -> tensor<4xi8> {
  %0 = tian.bitwise_not %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// CHECK-LABEL: func.func @bitwise_not_2
// CHECK: tian.bitwise_not %{{.*}} : tensor<8xi64>
func.func @bitwise_not_2(%x: tensor<8xi64>) -> tensor<8xi64> {
  %0 = tian.bitwise_not %x : tensor<8xi64>
  return %0 : tensor<8xi64>
}
