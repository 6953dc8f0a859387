// Verifier errors of tian.bitwise_xor.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @bitwise_xor_invalid_0(%a: tensor<2x3xi32>, %b: tensor<4x3xi32>) -> tensor<2x3xi32> {
  // expected-error @+2 {{'tian.bitwise_xor' op operand shapes [2, 3] and [4, 3] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.bitwise_xor %a, %b : tensor<2x3xi32>, tensor<4x3xi32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @bitwise_xor_invalid_1(%a: tensor<2x3xi32>, %b: tensor<2x3xi64>) -> tensor<2x3xi32> {
  // expected-error @+2 {{'tian.bitwise_xor' op lhs and rhs must have the same element type, got i32 and i64}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.bitwise_xor %a, %b : tensor<2x3xi32>, tensor<2x3xi64> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @bitwise_xor_invalid_2(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer or 8-bit unsigned integer or 16-bit unsigned integer or 32-bit unsigned integer or 64-bit unsigned integer or 1-bit signless integer values}}
  %0 = "tian.bitwise_xor"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
