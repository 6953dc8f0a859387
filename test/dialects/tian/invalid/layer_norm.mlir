// Verifier errors of tian.layer_norm.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @layer_norm_invalid_0(%x: tensor<2x8xf32>, %w: tensor<4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tian.layer_norm' op weight shape [4] must equal the normalized dimensions [8] of input [2, 8]}}
  %0 = tian.layer_norm %x weight(%w : tensor<4xf32>) axis = 1 : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_invalid_1(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tian.layer_norm' op axis 3 must lie in [0, 2)}}
  %0 = tian.layer_norm %x axis = 3 : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_invalid_2(%x: tensor<2x8xf32>, %b: tensor<8xf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'tian.layer_norm' op input and bias must have the same element type, got f32 and f16}}
  %0 = tian.layer_norm %x bias(%b : tensor<8xf16>) axis = 1 : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
