// Verifier errors of tian.expand_dims.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @expand_dims_invalid_0(%x: tensor<3x4xf32>) -> tensor<3x4x1xf32> {
  // expected-error @+2 {{'tian.expand_dims' op axes [3] must lie in [0, 3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.expand_dims %x axes = [3] : tensor<3x4xf32> -> tensor<3x4x1xf32>
  return %0 : tensor<3x4x1xf32>
}
