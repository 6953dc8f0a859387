// Verifier errors of tian.squeeze.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @squeeze_invalid_0(%x: tensor<1x3x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+2 {{'tian.squeeze' op dimension 1 of input [1, 3, 4] is not 1 and cannot be squeezed}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.squeeze %x axes = [1] : tensor<1x3x4xf32> -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
