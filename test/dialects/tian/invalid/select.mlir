// Verifier errors of tian.select.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @select_invalid_0(%c: tensor<3xi1>, %a: tensor<3xf32>, %b: tensor<3xi32>) -> tensor<3xf32> {
  // expected-error @+2 {{'tian.select' op on_true and on_false must have the same element type, got f32 and i32}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.select %c, %a, %b : tensor<3xi1>, tensor<3xf32>, tensor<3xi32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @select_invalid_1(%c: tensor<2xi1>, %a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{'tian.select' op operand shapes [2] and [3] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.select %c, %a, %b : tensor<2xi1>, tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
