// Verifier errors of tian.not.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @not_invalid_0(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{must be ranked tensor of 1-bit signless integer values}}
  %0 = tian.not %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
