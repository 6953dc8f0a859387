// Round trip of tian.slice: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @slice_0
// CHECK: tian.slice %{{.*}} starts = [1, 0] limits = [7, 6] steps = [2, 1] : tensor<8x6xf32> -> tensor<3x6xf32>
func.func @slice_0(%x: tensor<8x6xf32>) -> tensor<3x6xf32> {
  %0 = tian.slice %x starts = [1, 0] limits = [7, 6] steps = [2, 1] : tensor<8x6xf32> -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}
