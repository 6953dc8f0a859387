// Verifier errors of tian.slice.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @slice_invalid_0(%x: tensor<8x6xf32>) -> tensor<9x6xf32> {
  // expected-error @+2 {{'tian.slice' op dimension 0 of input [8, 6] cannot be sliced from 0 to 9}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.slice %x starts = [0, 0] limits = [9, 6] steps = [1, 1] : tensor<8x6xf32> -> tensor<9x6xf32>
  return %0 : tensor<9x6xf32>
}

// -----

func.func @slice_invalid_1(%x: tensor<8x6xf32>) -> tensor<8x6xf32> {
  // expected-error @+2 {{'tian.slice' op steps [1, 0] must be >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.slice %x starts = [0, 0] limits = [8, 6] steps = [1, 0] : tensor<8x6xf32> -> tensor<8x6xf32>
  return %0 : tensor<8x6xf32>
}

// -----

func.func @slice_invalid_2(%x: tensor<8x6xf32>) -> tensor<8x6xf32> {
  // expected-error @+2 {{'tian.slice' op starts must have 2 entries, got [0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.slice %x starts = [0] limits = [8] steps = [1] : tensor<8x6xf32> -> tensor<8x6xf32>
  return %0 : tensor<8x6xf32>
}
