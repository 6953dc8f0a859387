// RUN: tian-opt %s --convert-tian-to-linalg --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @sum_keepdims
// CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: %[[R:.*]] = linalg.reduce ins(%{{.*}} : tensor<2x3x4xf32>) outs(%[[F]] : tensor<2x4xf32>) dimensions = [1]
// CHECK: arith.addf
// CHECK: tensor.expand_shape {{.*}} : tensor<8xf32> into tensor<2x1x4xf32>
func.func @sum_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = tian.reduce_sum %x axes = [1] keepdims : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// Identities: max starts at -inf, min at +inf, prod at 1; integers at the
// extreme values of their type.
// CHECK-LABEL: func.func @identities
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[POS_INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-DAG: %[[INT_MIN:.*]] = arith.constant -2147483648 : i32
// CHECK: linalg.fill ins(%[[NEG_INF]] : f32)
// CHECK: arith.maximumf
// CHECK: linalg.fill ins(%[[POS_INF]] : f32)
// CHECK: arith.minimumf
// CHECK: linalg.fill ins(%[[ONE]] : i32)
// CHECK: arith.muli
// CHECK: linalg.fill ins(%[[INT_MIN]] : i32)
// CHECK: arith.maxsi
func.func @identities(%x: tensor<3x4xf32>, %i: tensor<3x4xi32>) -> (tensor<3xf32>, tensor<4xf32>, tensor<3xi32>, tensor<4xi32>) {
  %0 = tian.reduce_max %x axes = [1] : tensor<3x4xf32> -> tensor<3xf32>
  %1 = tian.reduce_min %x axes = [0] : tensor<3x4xf32> -> tensor<4xf32>
  %2 = tian.reduce_prod %i axes = [1] : tensor<3x4xi32> -> tensor<3xi32>
  %3 = tian.reduce_max %i axes = [0] : tensor<3x4xi32> -> tensor<4xi32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<4xf32>, tensor<3xi32>, tensor<4xi32>
}

// -----

// Reducing every axis gives a rank-0 tensor; keepdims expands it to ones.
// CHECK-LABEL: func.func @sum_all
// CHECK: linalg.reduce ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<f32>) dimensions = [0, 1]
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
func.func @sum_all(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  %0 = tian.reduce_sum %x axes = [0, 1] keepdims : tensor<2x3xf32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}
