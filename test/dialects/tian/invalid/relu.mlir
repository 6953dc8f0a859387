// Verifier errors of tian.relu.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @relu_invalid_0(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{must be ranked tensor of}}
  %0 = tian.relu %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @relu_invalid_1(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "tian.relu"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}
