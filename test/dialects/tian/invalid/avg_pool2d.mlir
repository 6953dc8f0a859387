// Verifier errors of tian.avg_pool2d.
// RUN: tian-opt %s --split-input-file --verify-diagnostics
func.func @avg_pool2d_invalid_0(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error @+2 {{'tian.avg_pool2d' op kernel [3, 3] does not fit the padded input [1, 1, 2, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = tian.avg_pool2d %x {kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<1x1x2x2xf32> -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}

// -----

func.func @avg_pool2d_invalid_1(%x: tensor<1x1x4x4xi32>) -> tensor<1x1x2x2xi32> {
  // expected-error @+1 {{must be ranked tensor of}}
  %0 = tian.avg_pool2d %x {kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x4x4xi32> -> tensor<1x1x2x2xi32>
  return %0 : tensor<1x1x2x2xi32>
}
