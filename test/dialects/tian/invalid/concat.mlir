// Verifier errors of tian.concat.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @concat_invalid_0(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+2 {{'tian.concat' op input #1 shape [3, 3] must match input #0 [2, 3] except along axis 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.concat %a, %b axis = 1 : tensor<2x3xf32>, tensor<3x3xf32> -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_invalid_1(%a: tensor<2x3xf32>, %b: tensor<2x3xi32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{'tian.concat' op input #0 and input #1 must have the same element type, got f32 and i32}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.concat %a, %b axis = 0 : tensor<2x3xf32>, tensor<2x3xi32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}
