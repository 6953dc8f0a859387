// Folds of tian.compare and tian.select.
// RUN: tian-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @compare_constants
// CHECK-DAG: tian.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG: tian.constant dense<[false, false, true]> : tensor<3xi1>
// CHECK-DAG: tian.constant dense<[true, true, false]> : tensor<3xi1>
func.func @compare_constants() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
  %a = tian.constant dense<[1.0, 2.0, 0x7FC00000]> : tensor<3xf32>
  %b = tian.constant dense<2.0> : tensor<f32>
  %i = tian.constant dense<[-1, 5, 9]> : tensor<3xi32>
  %j = tian.constant dense<5> : tensor<i32>
  %0 = tian.compare lt %a, %b : tensor<3xf32>, tensor<f32> -> tensor<3xi1>
  // ne is true on NaN, as in IEEE and numpy.
  %1 = tian.compare ne %a, %a : tensor<3xf32>, tensor<3xf32> -> tensor<3xi1>
  %2 = tian.compare le %i, %j : tensor<3xi32>, tensor<i32> -> tensor<3xi1>
  return %0, %1, %2 : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}

// -----

// CHECK-LABEL: func.func @select_splat_condition
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[B]], %[[A]]
func.func @select_splat_condition(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %f = tian.constant dense<false> : tensor<4xi1>
  %c = tian.constant dense<[true, false, true, true]> : tensor<4xi1>
  %0 = tian.select %f, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %1 = tian.select %c, %a, %a : tensor<4xi1>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @select_keeps_mixed_condition
// CHECK: tian.select
func.func @select_keeps_mixed_condition(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %c = tian.constant dense<[true, false, true, true]> : tensor<4xi1>
  %0 = tian.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
