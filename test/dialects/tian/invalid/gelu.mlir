// Verifier errors of tian.gelu.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @gelu_invalid_0(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{expected}}
  %0 = tian.gelu %x approximate = sigmoid : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gelu_invalid_1(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{must be ranked tensor of}}
  %0 = tian.gelu %x : tensor<4xi8>
  return %0 : tensor<4xi8>
}
