// Verifier errors of tian.conv2d.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @conv2d_invalid_0(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'tian.conv2d' op weight [4, 2, 3, 3] expects 2 input channels (C/groups = 2, groups = 1), input [1, 3, 8, 8] has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.conv2d %x, %w : tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv2d_invalid_1(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{'tian.conv2d' op strides [0, 1] must be >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.conv2d %x, %w {strides = array<i64: 0, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv2d_invalid_2(%x: tensor<1x3x2x2xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32> {
  // expected-error @+2 {{'tian.conv2d' op kernel [3, 3] with dilations [1, 1] does not fit the padded input [1, 3, 2, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.conv2d %x, %w : tensor<1x3x2x2xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x1x1xf32>
  return %0 : tensor<1x4x1x1xf32>
}

// -----

func.func @conv2d_invalid_3(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<4x6x6xf32> {
  // expected-error @+2 {{'tian.conv2d' op expects input [N, C, H, W] and weight [O, C/groups, KH, KW], got input [3, 8, 8] and weight [4, 3, 3, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.conv2d %x, %w : tensor<3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<4x6x6xf32>
  return %0 : tensor<4x6x6xf32>
}

// -----

func.func @conv2d_invalid_4(%x: tensor<1x6x8x8xf32>, %w: tensor<5x3x3x3xf32>) -> tensor<1x5x6x6xf32> {
  // expected-error @+2 {{'tian.conv2d' op output channels 5 are not divisible by groups 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.conv2d %x, %w {groups = 2 : i64} : tensor<1x6x8x8xf32>, tensor<5x3x3x3xf32> -> tensor<1x5x6x6xf32>
  return %0 : tensor<1x5x6x6xf32>
}
