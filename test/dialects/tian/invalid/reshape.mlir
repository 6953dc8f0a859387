// Verifier errors of tian.reshape.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @reshape_invalid_0(%x: tensor<2x3xf32>) -> tensor<4x2xf32> {
  // expected-error @+2 {{'tian.reshape' op cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.reshape %x to [4, 2] : tensor<2x3xf32> -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @reshape_invalid_1(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'tian.reshape' op shape [-1, 3] must not have negative sizes}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.reshape %x to [-1, 3] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
