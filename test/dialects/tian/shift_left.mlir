// Round trip of tian.shift_left: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @shift_left_0
// CHECK: tian.shift_left %{{.*}}, %{{.*}} : tensor<2x3xi32>, tensor<2x3xi32> -> tensor<2x3xi32>
func.func @shift_left_0(%a: tensor<2x3xi32>, %b: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0 = tian.shift_left %a, %b : tensor<2x3xi32>, tensor<2x3xi32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// CHECK-LABEL: func.func @shift_left_1
// CHECK: tian.shift_left %{{.*}}, %{{.*}} : tensor<4x1xi8>, tensor<3xi8> -> tensor<4x3xi8>
func.func @shift_left_1(%a: tensor<4x1xi8>, %b: tensor<3xi8>) -> tensor<4x3xi8> {
  %0 = tian.shift_left %a, %b : tensor<4x1xi8>, tensor<3xi8> -> tensor<4x3xi8>
  return %0 : tensor<4x3xi8>
}

// -----

// CHECK-LABEL: func.func @shift_left_2
// CHECK: tian.shift_left %{{.*}}, %{{.*}} : tensor<5xi64>, tensor<i64> -> tensor<5xi64>
func.func @shift_left_2(%a: tensor<5xi64>, %b: tensor<i64>) -> tensor<5xi64> {
  %0 = tian.shift_left %a, %b : tensor<5xi64>, tensor<i64> -> tensor<5xi64>
  return %0 : tensor<5xi64>
}
