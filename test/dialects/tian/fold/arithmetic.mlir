// Identities and constant folding of the binary arithmetic ops.
// RUN: tian-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @add_zero(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %z = tian.constant dense<0.0> : tensor<f32>
  %0 = tian.add %x, %z : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %1 = tian.add %z, %0 : tensor<f32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = tian.sub %1, %z : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// -----

// A zero that broadcasts the operand to a larger shape is not an identity.
// CHECK-LABEL: func.func @add_zero_that_broadcasts
// CHECK: tian.add
func.func @add_zero_that_broadcasts(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %z = tian.constant dense<0.0> : tensor<2x3xf32>
  %0 = tian.add %x, %z : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @mul_div_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK-NEXT: return %[[X]]
func.func @mul_div_one(%x: tensor<4xi32>) -> tensor<4xi32> {
  %one = tian.constant dense<1> : tensor<4xi32>
  %0 = tian.mul %one, %x : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  %1 = tian.div %0, %one : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  return %1 : tensor<4xi32>
}

// -----

// Constants fold elementwise, with numpy broadcasting.
// CHECK-LABEL: func.func @fold_broadcast
// CHECK: %[[C:.*]] = tian.constant dense<{{\[}}[1.100000e+01, 2.200000e+01], [1.300000e+01, 2.400000e+01]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_broadcast() -> tensor<2x2xf32> {
  %a = tian.constant dense<[[1.0], [3.0]]> : tensor<2x1xf32>
  %b = tian.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %c = tian.constant dense<[[0.0, 1.0], [0.0, 1.0]]> : tensor<2x2xf32>
  %0 = tian.add %a, %b : tensor<2x1xf32>, tensor<2xf32> -> tensor<2x2xf32>
  %1 = tian.add %0, %c : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  return %1 : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @fold_int_ops
// CHECK: tian.constant dense<[-3, 4, 7]> : tensor<3xi64>
// CHECK: tian.constant dense<[0, 20, -3]> : tensor<3xi64>
func.func @fold_int_ops() -> (tensor<3xi64>, tensor<3xi64>) {
  %a = tian.constant dense<[-7, 8, 15]> : tensor<3xi64>
  %b = tian.constant dense<2> : tensor<3xi64>
  %c = tian.constant dense<[1, 5, 2]> : tensor<3xi64>
  %0 = tian.div %a, %b : tensor<3xi64>, tensor<3xi64> -> tensor<3xi64>
  %1 = tian.min %c, %0 : tensor<3xi64>, tensor<3xi64> -> tensor<3xi64>
  %2 = tian.max %1, %c : tensor<3xi64>, tensor<3xi64> -> tensor<3xi64>
  %3 = tian.sub %2, %1 : tensor<3xi64>, tensor<3xi64> -> tensor<3xi64>
  %4 = tian.add %3, %0 : tensor<3xi64>, tensor<3xi64> -> tensor<3xi64>
  %5 = tian.mul %c, %c : tensor<3xi64>, tensor<3xi64> -> tensor<3xi64>
  %6 = tian.sub %5, %4 : tensor<3xi64>, tensor<3xi64> -> tensor<3xi64>
  return %0, %6 : tensor<3xi64>, tensor<3xi64>
}

// -----

// Integer division by zero is left for run time, not folded.
// CHECK-LABEL: func.func @no_fold_div_by_zero
// CHECK: tian.div
func.func @no_fold_div_by_zero() -> tensor<2xi32> {
  %a = tian.constant dense<[4, 5]> : tensor<2xi32>
  %b = tian.constant dense<[2, 0]> : tensor<2xi32>
  %0 = tian.div %a, %b : tensor<2xi32>, tensor<2xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// Float max/min propagate NaN, like the compiled code.
// CHECK-LABEL: func.func @fold_max_nan
// CHECK: tian.constant dense<[0x7FC00000, 2.000000e+00]> : tensor<2xf32>
func.func @fold_max_nan() -> tensor<2xf32> {
  %a = tian.constant dense<[0x7FC00000, 1.0]> : tensor<2xf32>
  %b = tian.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = tian.max %a, %b : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @max_self_pow_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @max_self_pow_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = tian.constant dense<1.0> : tensor<f32>
  %0 = tian.max %x, %x : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %1 = tian.pow %0, %one : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Transcendental functions are not folded: the compiled code defines them.
// CHECK-LABEL: func.func @no_fold_exp
// CHECK: tian.exp
func.func @no_fold_exp() -> tensor<2xf32> {
  %a = tian.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = tian.exp %a : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// rem folds exactly (C's fmod, the dividend's sign), but not a division by zero.
// CHECK-LABEL: func.func @rem_constants
// CHECK-DAG: tian.constant dense<[1.000000e+00, -1.000000e+00, 5.000000e+00]> : tensor<3xf32>
// CHECK-DAG: tian.constant dense<[1, -1, 0]> : tensor<3xi32>
// CHECK: tian.rem
func.func @rem_constants() -> (tensor<3xf32>, tensor<3xi32>, tensor<2xi32>) {
  %a = tian.constant dense<[7.0, -7.0, 5.0]> : tensor<3xf32>
  %b = tian.constant dense<[3.0, 2.0, 0x7F800000]> : tensor<3xf32>
  %0 = tian.rem %a, %b : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  %c = tian.constant dense<[7, -7, 4]> : tensor<3xi32>
  %d = tian.constant dense<[-2, 3, 2]> : tensor<3xi32>
  %1 = tian.rem %c, %d : tensor<3xi32>, tensor<3xi32> -> tensor<3xi32>
  %e = tian.constant dense<[7, 1]> : tensor<2xi32>
  %z = tian.constant dense<[0, 1]> : tensor<2xi32>
  %2 = tian.rem %e, %z : tensor<2xi32>, tensor<2xi32> -> tensor<2xi32>
  return %0, %1, %2 : tensor<3xf32>, tensor<3xi32>, tensor<2xi32>
}
