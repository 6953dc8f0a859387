// Folds of reshape, transpose, broadcast_to, slice, pad and concat.
// RUN: tian-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = tian.reshape %[[X]] to [4, 6] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = tian.reshape %x to [24] : tensor<2x3x4xf32> -> tensor<24xf32>
  %1 = tian.reshape %0 to [4, 6] : tensor<24xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.reshape %x to [3, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = tian.reshape %0 to [2, 3] : tensor<3x2xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_constant
// CHECK: tian.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi32>
func.func @reshape_constant() -> tensor<2x2xi32> {
  %c = tian.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %0 = tian.reshape %c to [2, 2] : tensor<4xi32> -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// CHECK-LABEL: func.func @transpose_of_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = tian.transpose %[[X]] perm = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_of_transpose(%x: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = tian.transpose %x perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = tian.transpose %0 perm = [2, 0, 1] : tensor<4x2x3xf32> -> tensor<3x4x2xf32>
  return %1 : tensor<3x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_inverse
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_inverse(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.transpose %x perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = tian.transpose %0 perm = [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// A constant weight's transpose is computed at compile time.
// CHECK-LABEL: func.func @transpose_constant
// CHECK: tian.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi32>
func.func @transpose_constant() -> tensor<3x2xi32> {
  %c = tian.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %0 = tian.transpose %c perm = [1, 0] : tensor<2x3xi32> -> tensor<3x2xi32>
  return %0 : tensor<3x2xi32>
}

// -----

// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identities(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = tian.broadcast_to %x to [2, 3] : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = tian.slice %x starts = [0, 0] limits = [2, 3] steps = [1, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = tian.pad %x low = [0, 0] high = [0, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = tian.concat %x axis = 1 : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @splat_movement
// CHECK-DAG: tian.constant dense<5.000000e-01> : tensor<4x3xf32>
// CHECK-DAG: tian.constant dense<5.000000e-01> : tensor<2x3xf32>
func.func @splat_movement() -> (tensor<4x3xf32>, tensor<2x3xf32>) {
  %c = tian.constant dense<0.5> : tensor<3xf32>
  %d = tian.constant dense<0.5> : tensor<4x3xf32>
  %0 = tian.broadcast_to %c to [4, 3] : tensor<3xf32> -> tensor<4x3xf32>
  %1 = tian.slice %d starts = [1, 0] limits = [3, 3] steps = [1, 1] : tensor<4x3xf32> -> tensor<2x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<2x3xf32>
}
