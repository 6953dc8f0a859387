// Verifier errors of tian.broadcast_to.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @broadcast_to_invalid_0(%x: tensor<3x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{'tian.broadcast_to' op cannot broadcast [3, 2] to [3, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.broadcast_to %x to [3, 4] : tensor<3x2xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
