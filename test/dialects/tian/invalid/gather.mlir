// Verifier errors of tian.gather.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @gather_invalid_0(%t: tensor<100x16xf32>, %i: tensor<5xf32>) -> tensor<5x16xf32> {
  // expected-error @+1 {{must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = tian.gather %t[%i] axis = 0 : tensor<100x16xf32>, tensor<5xf32> -> tensor<5x16xf32>
  return %0 : tensor<5x16xf32>
}

// -----

func.func @gather_invalid_1(%t: tensor<100x16xf32>, %i: tensor<5xi64>) -> tensor<5x16xf32> {
  // expected-error @+2 {{'tian.gather' op axis 2 must lie in [0, 2) for an input of rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.gather %t[%i] axis = 2 : tensor<100x16xf32>, tensor<5xi64> -> tensor<5x16xf32>
  return %0 : tensor<5x16xf32>
}
