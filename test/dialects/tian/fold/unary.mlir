// Folds of the unary ops.
// RUN: tian-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @involutions
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xi1>)
// CHECK-NEXT: return %[[X]], %[[B]]
func.func @involutions(%x: tensor<4xf32>, %b: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xi1>) {
  %0 = tian.neg %x : tensor<4xf32>
  %1 = tian.neg %0 : tensor<4xf32>
  %2 = tian.not %b : tensor<4xi1>
  %3 = tian.not %2 : tensor<4xi1>
  return %1, %3 : tensor<4xf32>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @idempotent
// CHECK: %[[R:.*]] = tian.relu
// CHECK-NEXT: %[[A:.*]] = tian.abs
// CHECK-NEXT: return %[[R]], %[[A]]
func.func @idempotent(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = tian.relu %x : tensor<4xf32>
  %1 = tian.relu %0 : tensor<4xf32>
  %2 = tian.abs %x : tensor<4xf32>
  %3 = tian.abs %2 : tensor<4xf32>
  return %1, %3 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @constants
// CHECK-DAG: tian.constant dense<[1.500000e+00, -2.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: tian.constant dense<[0.000000e+00, 2.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: tian.constant dense<[1.000000e+00, -2.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: tian.constant dense<[2.000000e+00, -2.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: tian.constant dense<[3, 0, 4]> : tensor<3xi32>
// CHECK-DAG: tian.constant dense<[false, true]> : tensor<2xi1>
func.func @constants() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi32>, tensor<2xi1>) {
  %a = tian.constant dense<[-1.5, 2.0, -0.0]> : tensor<3xf32>
  %i = tian.constant dense<[-3, 0, 4]> : tensor<3xi32>
  %t = tian.constant dense<[true, false]> : tensor<2xi1>
  %0 = tian.neg %a : tensor<3xf32>
  %1 = tian.relu %a : tensor<3xf32>
  %2 = tian.floor %0 : tensor<3xf32>
  %3 = tian.ceil %0 : tensor<3xf32>
  %4 = tian.abs %i : tensor<3xi32>
  %5 = tian.not %t : tensor<2xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi32>, tensor<2xi1>
}
