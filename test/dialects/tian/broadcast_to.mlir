// Round trip of tian.broadcast_to: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @broadcast_to_0
// CHECK: tian.broadcast_to %{{.*}} to [2, 3, 4] : tensor<3x1xf32> -> tensor<2x3x4xf32>
func.func @broadcast_to_0(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = tian.broadcast_to %x to [2, 3, 4] : tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}
