// Verifier errors of tian.batch_norm.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @batch_norm_invalid_0(%x: tensor<1x64x8x8xf32>, %p: tensor<32xf32>) -> tensor<1x64x8x8xf32> {
  // expected-error @+1 {{'tian.batch_norm' op scale must have shape [64] (the channels of input [1, 64, 8, 8]), got [32]}}
  %0 = tian.batch_norm %x, %p, %p, %p, %p : tensor<1x64x8x8xf32>, tensor<32xf32>
  return %0 : tensor<1x64x8x8xf32>
}

// -----

func.func @batch_norm_invalid_1(%x: tensor<64xf32>, %p: tensor<64xf32>) -> tensor<64xf32> {
  // expected-error @+1 {{'tian.batch_norm' op expects input [N, C, ...] of rank >= 2, got [64]}}
  %0 = tian.batch_norm %x, %p, %p, %p, %p : tensor<64xf32>, tensor<64xf32>
  return %0 : tensor<64xf32>
}
