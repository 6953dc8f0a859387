// Round trip of tian.max_pool2d: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @max_pool2d_0
// CHECK: tian.max_pool2d %{{.*}} {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
func.func @max_pool2d_0(%x: tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32> {
  %0 = tian.max_pool2d %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// CHECK-LABEL: func.func @max_pool2d_1
// CHECK: tian.max_pool2d %{{.*}} {ceil_mode, kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
func.func @max_pool2d_1(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = tian.max_pool2d %x {ceil_mode, kernel_size = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @max_pool2d_2
// CHECK: tian.max_pool2d %{{.*}} {dilations = array<i64: 2, 2>, kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<1x1x9x9xf32> -> tensor<1x1x5x5xf32>
func.func @max_pool2d_2(%x: tensor<1x1x9x9xf32>) -> tensor<1x1x5x5xf32> {
  %0 = tian.max_pool2d %x {dilations = array<i64: 2, 2>, kernel_size = array<i64: 3, 3>, strides = array<i64: 1, 1>} : tensor<1x1x9x9xf32> -> tensor<1x1x5x5xf32>
  return %0 : tensor<1x1x5x5xf32>
}
