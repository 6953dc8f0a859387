// Verifier errors of tian.global_avg_pool2d.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @global_avg_pool2d_invalid_0(%x: tensor<512x7x7xf32>) -> tensor<512x1x1xf32> {
  // expected-error @+2 {{'tian.global_avg_pool2d' op expects input [N, C, H, W], got [512, 7, 7]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.global_avg_pool2d %x : tensor<512x7x7xf32> -> tensor<512x1x1xf32>
  return %0 : tensor<512x1x1xf32>
}
