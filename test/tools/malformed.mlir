// Malformed input gets a diagnostic with a location and a non-zero exit,
// never a crash.
// RUN: not tian-opt %s --split-input-file 2>&1 | FileCheck %s

// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error: custom op 'tian.frobnicate' is unknown
func.func @unknown_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tian.frobnicate %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error: expected ':'
func.func @missing_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tian.exp %x
  return %0 : tensor<4xf32>
}

// -----

// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error: 'tian.add' op operand shapes [4] and [5] are not broadcast-compatible
func.func @bad_shapes(%x: tensor<4xf32>, %y: tensor<5xf32>) -> tensor<4xf32> {
  %0 = tian.add %x, %y : tensor<4xf32>, tensor<5xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error: 'tian.conv2d' op groups must be >= 1, got 0
func.func @bad_attribute(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = tian.conv2d %x, %w {groups = 0 : i64} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}
