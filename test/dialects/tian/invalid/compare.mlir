// Verifier errors of tian.compare.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @compare_invalid_0(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{must be ranked tensor of 1-bit signless integer values}}
  %0 = tian.compare lt %a, %b : tensor<2xf32>, tensor<2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @compare_invalid_1(%a: tensor<2xf32>, %b: tensor<3xf32>) -> tensor<2xi1> {
  // expected-error @+2 {{'tian.compare' op operand shapes [2] and [3] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.compare eq %a, %b : tensor<2xf32>, tensor<3xf32> -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @compare_invalid_2(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xi1> {
  // expected-error @+1 {{expected}}
  %0 = tian.compare less %a, %b : tensor<2xf32>, tensor<2xf32> -> tensor<2xi1>
  return %0 : tensor<2xi1>
}
