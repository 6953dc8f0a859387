// Verifier errors of tian.bitwise_not.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @bitwise_not_invalid_0(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values}}
  %0 = tian.bitwise_not %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @bitwise_not_invalid_1(%x: tensor<4xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "tian.bitwise_not"(%x) : (tensor<4xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// Bools have tian.not.
func.func @bitwise_not_invalid_2(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer values}}
  %0 = tian.bitwise_not %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}
