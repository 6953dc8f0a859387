// Round trip of tian.conv2d: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @conv2d_0
// CHECK: tian.conv2d %{{.*}}, %{{.*}} {padding = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32> -> tensor<1x64x112x112xf32>
func.func @conv2d_0(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32> {
  %0 = tian.conv2d %x, %w {padding = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32> -> tensor<1x64x112x112xf32>
  return %0 : tensor<1x64x112x112xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_1
// CHECK: tian.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, groups = 32 : i64, padding = array<i64: 2, 2, 2, 2>} : tensor<2x32x14x14xf32>, tensor<32x1x3x3xf32> -> tensor<2x32x14x14xf32>
func.func @conv2d_1(%x: tensor<2x32x14x14xf32>, %w: tensor<32x1x3x3xf32>) -> tensor<2x32x14x14xf32> {
  %0 = tian.conv2d %x, %w {dilations = array<i64: 2, 2>, groups = 32 : i64, padding = array<i64: 2, 2, 2, 2>} : tensor<2x32x14x14xf32>, tensor<32x1x3x3xf32> -> tensor<2x32x14x14xf32>
  return %0 : tensor<2x32x14x14xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_2
// CHECK: tian.conv2d %{{.*}}, %{{.*}} : tensor<1x8x5x5xf32>, tensor<4x8x1x1xf32> -> tensor<1x4x5x5xf32>
func.func @conv2d_2(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x1x1xf32>) -> tensor<1x4x5x5xf32> {
  %0 = tian.conv2d %x, %w : tensor<1x8x5x5xf32>, tensor<4x8x1x1xf32> -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}
