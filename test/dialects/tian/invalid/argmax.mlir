// Verifier errors of tian.argmax.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @argmax_invalid_0(%x: tensor<2x10xf32>) -> tensor<2xi64> {
  // expected-error @+2 {{'tian.argmax' op axis 2 must lie in [0, 2) for an input of rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.argmax %x axis = 2 : tensor<2x10xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @argmax_invalid_1(%x: tensor<2x10xf32>) -> tensor<2xi32> {
  // expected-error @+1 {{must be ranked tensor of 64-bit signless integer values}}
  %0 = tian.argmax %x axis = 1 : tensor<2x10xf32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}
