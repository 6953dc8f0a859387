// Round trip of tian.global_avg_pool2d: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @global_avg_pool2d_0
// CHECK: tian.global_avg_pool2d %{{.*}} : tensor<1x512x7x7xf32> -> tensor<1x512x1x1xf32>
func.func @global_avg_pool2d_0(%x: tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32> {
  %0 = tian.global_avg_pool2d %x : tensor<1x512x7x7xf32> -> tensor<1x512x1x1xf32>
  return %0 : tensor<1x512x1x1xf32>
}
