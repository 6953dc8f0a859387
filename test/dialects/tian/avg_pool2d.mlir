// Round trip of tian.avg_pool2d: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @avg_pool2d_0
// CHECK: tian.avg_pool2d %{{.*}} {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x8x7x7xf32> -> tensor<1x8x4x4xf32>
func.func @avg_pool2d_0(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x4x4xf32> {
  %0 = tian.avg_pool2d %x {kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x8x7x7xf32> -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @avg_pool2d_1
// CHECK: tian.avg_pool2d %{{.*}} {count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x8x7x7xf32> -> tensor<1x8x7x7xf32>
func.func @avg_pool2d_1(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x7x7xf32> {
  %0 = tian.avg_pool2d %x {count_include_pad = false, kernel_size = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x8x7x7xf32> -> tensor<1x8x7x7xf32>
  return %0 : tensor<1x8x7x7xf32>
}
