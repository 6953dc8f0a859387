// Verifier errors of tian.transpose.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @transpose_invalid_0(%x: tensor<2x3x4xf32>) -> tensor<2x2x3xf32> {
  // expected-error @+2 {{'tian.transpose' op perm [0, 0, 1] is not a permutation of the 3 dimensions of input [2, 3, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.transpose %x perm = [0, 0, 1] : tensor<2x3x4xf32> -> tensor<2x2x3xf32>
  return %0 : tensor<2x2x3xf32>
}

// -----

func.func @transpose_invalid_1(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'tian.transpose' op perm [1, 0, 2] is not a permutation of the 2 dimensions of input [2, 3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.transpose %x perm = [1, 0, 2] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
