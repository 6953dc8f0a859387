// Verifier errors of tian.pad.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @pad_invalid_0(%x: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{'tian.pad' op low [-1] must be >= 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.pad %x low = [-1] high = [0] : tensor<4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
