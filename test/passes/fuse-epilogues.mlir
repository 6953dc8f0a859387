// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-fuse-elementwise,tian-fuse-rows,tian-fuse-epilogues))" | FileCheck %s

// matmul + bias + ReLU: the matmul joins its epilogue's group, which
// becomes a loop over the rows of the result.
// CHECK-LABEL: func.func @linear_relu
// CHECK: tian.matmul {{.*}} {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64}
// CHECK: tian.add {{.*}} {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64}
// CHECK: tian.relu {{.*}} {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64}
func.func @linear_relu(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>, %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %0 = tian.matmul %x, %w : tensor<8x16xf32>, tensor<16x32xf32> -> tensor<8x32xf32>
  %1 = tian.add %0, %b : tensor<8x32xf32>, tensor<32xf32> -> tensor<8x32xf32>
  %2 = tian.relu %1 : tensor<8x32xf32>
  return %2 : tensor<8x32xf32>
}

// -----

// conv2d + per-channel scale and shift (batch norm, folded) + residual add +
// ReLU: one group over the (image, channel) planes.
// CHECK-LABEL: func.func @conv_block
// CHECK: tian.conv2d {{.*}} tian.fusion_group = 0 : i64, tian.fusion_rows = 2 : i64
// CHECK: tian.mul {{.*}} tian.fusion_rows = 2
// CHECK: tian.add {{.*}} tian.fusion_rows = 2
// CHECK: tian.add {{.*}} tian.fusion_rows = 2
// CHECK: tian.relu {{.*}} tian.fusion_rows = 2
func.func @conv_block(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %s: tensor<4x1x1xf32>, %t: tensor<4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %0 = tian.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32> -> tensor<1x4x8x8xf32>
  %1 = tian.mul %0, %s : tensor<1x4x8x8xf32>, tensor<4x1x1xf32> -> tensor<1x4x8x8xf32>
  %2 = tian.add %1, %t : tensor<1x4x8x8xf32>, tensor<4x1x1xf32> -> tensor<1x4x8x8xf32>
  %3 = tian.add %2, %x : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %4 = tian.relu %3 : tensor<1x4x8x8xf32>
  return %4 : tensor<1x4x8x8xf32>
}

// -----

// matmul + residual + LayerNorm: the matmul joins the row group of the
// normalization, which runs over the same rows.
// CHECK-LABEL: func.func @linear_layer_norm
// CHECK: tian.matmul {{.*}} {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64}
// CHECK: tian.add {{.*}} tian.fusion_rows = 1
// CHECK: tian.reduce_sum {{.*}} tian.fusion_rows = 1
func.func @linear_layer_norm(%x: tensor<8x16xf32>, %w: tensor<16x16xf32>) -> tensor<8x16xf32> {
  %inv = tian.constant dense<0.0625> : tensor<f32>
  %0 = tian.matmul %x, %w : tensor<8x16xf32>, tensor<16x16xf32> -> tensor<8x16xf32>
  %1 = tian.add %0, %x : tensor<8x16xf32>, tensor<8x16xf32> -> tensor<8x16xf32>
  %s = tian.reduce_sum %1 axes = [1] keepdims : tensor<8x16xf32> -> tensor<8x1xf32>
  %m = tian.mul %s, %inv : tensor<8x1xf32>, tensor<f32> -> tensor<8x1xf32>
  %2 = tian.sub %1, %m : tensor<8x16xf32>, tensor<8x1xf32> -> tensor<8x16xf32>
  return %2 : tensor<8x16xf32>
}

// -----

// Must not fuse: a matmul with a second user (its result is needed whole
// anyway), an epilogue that broadcasts a smaller result, a group that ends
// in a reduction, and a grouped convolution.
// CHECK-LABEL: func.func @not_epilogues
// CHECK-NOT: fusion_rows
// CHECK: return
func.func @not_epilogues(%x: tensor<8x16xf32>, %w: tensor<16x16xf32>, %v: tensor<16x1xf32>,
                         %img: tensor<1x4x8x8xf32>, %gw: tensor<4x2x3x3xf32>)
    -> (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x1xf32>, tensor<1x4x6x6xf32>) {
  %0 = tian.matmul %x, %w : tensor<8x16xf32>, tensor<16x16xf32> -> tensor<8x16xf32>
  %1 = tian.relu %0 : tensor<8x16xf32>
  %2 = tian.matmul %x, %v : tensor<8x16xf32>, tensor<16x1xf32> -> tensor<8x1xf32>
  %3 = tian.add %2, %x : tensor<8x1xf32>, tensor<8x16xf32> -> tensor<8x16xf32>
  %4 = tian.matmul %x, %w : tensor<8x16xf32>, tensor<16x16xf32> -> tensor<8x16xf32>
  %5 = tian.exp %4 : tensor<8x16xf32>
  %6 = tian.reduce_sum %5 axes = [1] keepdims : tensor<8x16xf32> -> tensor<8x1xf32>
  %7 = tian.conv2d %img, %gw {groups = 2 : i64} : tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x6x6xf32>
  %8 = tian.relu %7 : tensor<1x4x6x6xf32>
  return %0, %1, %3, %6, %8 : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x1xf32>, tensor<1x4x6x6xf32>
}
