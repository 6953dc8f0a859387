// RUN: tian-opt %s --convert-tian-to-linalg --split-input-file | FileCheck %s

// Padding becomes tensor.pad with zeros, then the named NCHW/FCHW op.
// CHECK-LABEL: func.func @conv2d
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 3, 3] high[0, 0, 3, 3]
// CHECK: tensor<1x3x224x224xf32> to tensor<1x3x230x230xf32>
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: ins(%[[P]], %{{.*}} : tensor<1x3x230x230xf32>, tensor<64x3x7x7xf32>)
func.func @conv2d(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32> {
  %0 = tian.conv2d %x, %w {padding = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32> -> tensor<1x64x112x112xf32>
  return %0 : tensor<1x64x112x112xf32>
}

// -----

// Groups split the channels: [N, G, C/G, H, W] and [G, O/G, C/G, KH, KW].
// CHECK-LABEL: func.func @grouped_conv2d
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] {{.*}} into tensor<1x4x2x6x6xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] {{.*}} into tensor<4x2x2x3x3xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] : tensor<1x4x2x4x4xf32> into tensor<1x8x4x4xf32>
func.func @grouped_conv2d(%x: tensor<1x8x6x6xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %0 = tian.conv2d %x, %w {groups = 4 : i64} : tensor<1x8x6x6xf32>, tensor<8x2x3x3xf32> -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// Max pooling pads with -inf and starts from -inf.
// CHECK-LABEL: func.func @max_pool2d
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEG_INF]]
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @max_pool2d(%x: tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32> {
  %0 = tian.max_pool2d %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// ceil_mode windows reach past the declared padding: padded further, never counted.
// CHECK-LABEL: func.func @max_pool2d_ceil
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: linalg.pooling_nchw_max
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x3x3xf32>)
func.func @max_pool2d_ceil(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = tian.max_pool2d %x {ceil_mode, kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Average pooling: window sums divided by per-position counts (the same
// windows summed over ones), so padding and ceil_mode count as PyTorch does.
// CHECK-LABEL: func.func @avg_pool2d
// CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum
// CHECK-SAME: -> tensor<1x8x4x4xf32>
// CHECK: %[[COUNT:.*]] = linalg.pooling_nchw_sum
// CHECK-SAME: -> tensor<1x1x4x4xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]], %[[COUNT]] : tensor<1x8x4x4xf32>, tensor<1x1x4x4xf32>)
// CHECK: arith.divf
func.func @avg_pool2d(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x4x4xf32> {
  %0 = tian.avg_pool2d %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x8x7x7xf32> -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}
