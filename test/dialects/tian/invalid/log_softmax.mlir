// Verifier errors of tian.log_softmax.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @log_softmax_invalid_0(%x: tensor<4x10xf32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'tian.log_softmax' op axis 2 must lie in [0, 2) for an input of rank 2}}
  %0 = tian.log_softmax %x axis = 2 : tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @log_softmax_invalid_1(%x: tensor<4x10xi32>) -> tensor<4x10xi32> {
  // expected-error @+1 {{must be ranked tensor of}}
  %0 = tian.log_softmax %x axis = 1 : tensor<4x10xi32>
  return %0 : tensor<4x10xi32>
}
