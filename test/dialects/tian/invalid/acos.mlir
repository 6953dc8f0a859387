// Verifier errors of tian.acos.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @acos_invalid_0(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = tian.acos %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @acos_invalid_1(%x: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "tian.acos"(%x) : (tensor<4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
