// Round trip of tian.bitwise_xor: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @bitwise_xor_0
// CHECK: tian.bitwise_xor %{{.*}}, %{{.*}} : tensor<2x3xi32>, tensor<2x3xi32> -> tensor<2x3xi32>
func.func @bitwise_xor_0(%a: tensor<2x3xi32>, %b: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0 = tian.bitwise_xor %a, %b : tensor<2x3xi32>, tensor<2x3xi32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// CHECK-LABEL: func.func @bitwise_xor_1
// CHECK: tian.bitwise_xor %{{.*}}, %{{.*}} : tensor<4x1xi8>, tensor<3xi8> -> tensor<4x3xi8>
func.func @bitwise_xor_1(%a: tensor<4x1xi8>, %b: tensor<3xi8>) -> tensor<4x3xi8> {
  %0 = tian.bitwise_xor %a, %b : tensor<4x1xi8>, tensor<3xi8> -> tensor<4x3xi8>
  return %0 : tensor<4x3xi8>
}

// -----

// CHECK-LABEL: func.func @bitwise_xor_2
// CHECK: tian.bitwise_xor %{{.*}}, %{{.*}} : tensor<5xi64>, tensor<i64> -> tensor<5xi64>
func.func @bitwise_xor_2(%a: tensor<5xi64>, %b: tensor<i64>) -> tensor<5xi64> {
  %0 = tian.bitwise_xor %a, %b : tensor<5xi64>, tensor<i64> -> tensor<5xi64>
  return %0 : tensor<5xi64>
}

// -----

// CHECK-LABEL: func.func @bitwise_xor_3
// CHECK: tian.bitwise_xor %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
func.func @bitwise_xor_3(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  %0 = tian.bitwise_xor %a, %b : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}
