// Verifier errors of tian.max_pool2d.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @max_pool2d_invalid_0(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+2 {{'tian.max_pool2d' op kernel_size must have 2 entries, got [2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.max_pool2d %x {kernel_size = array<i64: 2>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

func.func @max_pool2d_invalid_1(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x2xf32> {
  // expected-error @+2 {{'tian.max_pool2d' op padding [2, 0, 0, 0] must be at most half the kernel [2, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.max_pool2d %x {kernel_size = array<i64: 2, 2>, padding = array<i64: 2, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x2xf32>
  return %0 : tensor<1x1x3x2xf32>
}

// -----

func.func @max_pool2d_invalid_2(%x: tensor<5x5xf32>) -> tensor<2x2xf32> {
  // expected-error @+2 {{'tian.max_pool2d' op expects input [N, C, H, W], got [5, 5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.max_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<5x5xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}
