// Verifier errors of tian.reduce_prod.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @reduce_prod_invalid_0(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'tian.reduce_prod' op axes [2] must lie in [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.reduce_prod %x axes = [2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reduce_prod_invalid_1(%x: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+2 {{'tian.reduce_prod' op axes [1, 0] must be sorted and unique}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.reduce_prod %x axes = [1, 0] : tensor<2x3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @reduce_prod_invalid_2(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'tian.reduce_prod' op needs at least one axis to reduce}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.reduce_prod %x axes = [] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
