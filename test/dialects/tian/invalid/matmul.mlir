// Verifier errors of tian.matmul.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @matmul_invalid_0(%a: tensor<4x8xf32>, %b: tensor<7x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+2 {{'tian.matmul' op contracting dimensions differ: lhs [4, 8] has K = 8, rhs [7, 16] has K = 7}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.matmul %a, %b : tensor<4x8xf32>, tensor<7x16xf32> -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @matmul_invalid_1(%a: tensor<8xf32>, %b: tensor<8x16xf32>) -> tensor<16xf32> {
  // expected-error @+2 {{'tian.matmul' op operands must have rank >= 2, got lhs [8] and rhs [8, 16]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.matmul %a, %b : tensor<8xf32>, tensor<8x16xf32> -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

func.func @matmul_invalid_2(%a: tensor<2x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<2x4x5xf32> {
  // expected-error @+2 {{'tian.matmul' op batch dimensions of lhs [2, 4, 8] and rhs [3, 8, 5] are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.matmul %a, %b : tensor<2x4x8xf32>, tensor<3x8x5xf32> -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}
