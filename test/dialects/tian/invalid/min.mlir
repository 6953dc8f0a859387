// Verifier errors of tian.min.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @min_invalid_0(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'tian.min' op operand shapes [2, 3] and [4, 3] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.min %a, %b : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @min_invalid_1(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'tian.min' op lhs and rhs must have the same element type, got f32 and f16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.min %a, %b : tensor<2x3xf32>, tensor<2x3xf16> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @min_invalid_2(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3x3xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.min %a, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}
