// Verifier errors of tian.iota.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @iota_invalid_0() -> tensor<2x4xi64> {
  // expected-error @+1 {{'tian.iota' op dim 2 must lie in [0, 2) for a result of rank 2}}
  %0 = tian.iota dim = 2 : tensor<2x4xi64>
  return %0 : tensor<2x4xi64>
}

// -----

func.func @iota_invalid_1() -> tensor<4xi1> {
  // expected-error @+1 {{must be ranked tensor of}}
  %0 = tian.iota dim = 0 : tensor<4xi1>
  return %0 : tensor<4xi1>
}
