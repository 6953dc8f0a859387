// Identities and constant folding of the bitwise ops.
// RUN: tian-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @same_operand
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]]
func.func @same_operand(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %0 = tian.bitwise_and %x, %x : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  %1 = tian.bitwise_or %x, %x : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  %2 = tian.bitwise_not %x : tensor<4xi32>
  %3 = tian.bitwise_not %2 : tensor<4xi32>
  return %0, %1, %3 : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @constants
// CHECK-DAG: tian.constant dense<[4, 0, 1]> : tensor<3xi8>
// CHECK-DAG: tian.constant dense<[7, -2, 127]> : tensor<3xi8>
// CHECK-DAG: tian.constant dense<[3, -2, 126]> : tensor<3xi8>
// CHECK-DAG: tian.constant dense<[-8, -9, -2]> : tensor<3xi8>
// CHECK-NOT: tian.bitwise
func.func @constants() -> (tensor<3xi8>, tensor<3xi8>, tensor<3xi8>, tensor<3xi8>) {
  %a = tian.constant dense<[7, 8, 1]> : tensor<3xi8>
  %b = tian.constant dense<[4, -10, 127]> : tensor<3xi8>
  %0 = tian.bitwise_and %a, %b : tensor<3xi8>, tensor<3xi8> -> tensor<3xi8>
  %1 = tian.bitwise_or %a, %b : tensor<3xi8>, tensor<3xi8> -> tensor<3xi8>
  %2 = tian.bitwise_xor %a, %b : tensor<3xi8>, tensor<3xi8> -> tensor<3xi8>
  %3 = tian.bitwise_not %a : tensor<3xi8>
  return %0, %1, %2, %3 : tensor<3xi8>, tensor<3xi8>, tensor<3xi8>, tensor<3xi8>
}

// -----

// Shifts by a negative amount or by the bit width or more: 0 to the left,
// the sign to the right.
// CHECK-LABEL: func.func @shifts
// CHECK-DAG: tian.constant dense<[12, 0, 0, -128]> : tensor<4xi8>
// CHECK-DAG: tian.constant dense<[0, -1, 0, -1]> : tensor<4xi8>
func.func @shifts() -> (tensor<4xi8>, tensor<4xi8>) {
  %a = tian.constant dense<[3, -3, 5, -1]> : tensor<4xi8>
  %b = tian.constant dense<[2, 8, -1, 7]> : tensor<4xi8>
  %0 = tian.shift_left %a, %b : tensor<4xi8>, tensor<4xi8> -> tensor<4xi8>
  %1 = tian.shift_right %a, %b : tensor<4xi8>, tensor<4xi8> -> tensor<4xi8>
  return %0, %1 : tensor<4xi8>, tensor<4xi8>
}
