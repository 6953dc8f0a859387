// Folds of tian.cast.
// RUN: tian-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @cast_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @cast_same_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tian.cast %x : tensor<4xf32> to f32
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @cast_constants
// CHECK-DAG: tian.constant dense<[2, -2, 0]> : tensor<3xi32>
// CHECK-DAG: tian.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK-DAG: tian.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf16>
// CHECK-DAG: tian.constant dense<[-1, 255]> : tensor<2xi64>
// CHECK-DAG: tian.constant dense<[-1, 127]> : tensor<2xi8>
func.func @cast_constants() -> (tensor<3xi32>, tensor<3xi1>, tensor<2xf16>, tensor<2xi64>, tensor<2xi8>) {
  %f = tian.constant dense<[2.7, -2.7, 0.0]> : tensor<3xf32>
  %b = tian.constant dense<[true, false]> : tensor<2xi1>
  %i = tian.constant dense<[-1, 255]> : tensor<2xi32>
  %j = tian.constant dense<[255, 127]> : tensor<2xi32>
  // float -> int truncates toward zero
  %0 = tian.cast %f : tensor<3xf32> to i32
  // anything -> i1 is x != 0
  %1 = tian.cast %f : tensor<3xf32> to i1
  // i1 -> number is 0 or 1
  %2 = tian.cast %b : tensor<2xi1> to f16
  // wider ints sign-extend, narrower ones wrap
  %3 = tian.cast %i : tensor<2xi32> to i64
  %4 = tian.cast %j : tensor<2xi32> to i8
  return %0, %1, %2, %3, %4 : tensor<3xi32>, tensor<3xi1>, tensor<2xf16>, tensor<2xi64>, tensor<2xi8>
}
