// Round trip of tian.pad: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @pad_0
// CHECK: tian.pad %{{.*}} low = [0, 0, 1, 1] high = [0, 0, 2, 2] : tensor<1x3x4x4xf32> -> tensor<1x3x7x7xf32>
func.func @pad_0(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x7x7xf32> {
  %0 = tian.pad %x low = [0, 0, 1, 1] high = [0, 0, 2, 2] : tensor<1x3x4x4xf32> -> tensor<1x3x7x7xf32>
  return %0 : tensor<1x3x7x7xf32>
}

// -----

// CHECK-LABEL: func.func @pad_1
// CHECK: tian.pad %{{.*}} low = [2] high = [0] {value = -1.000000e+00 : f64} : tensor<4xi32> -> tensor<6xi32>
func.func @pad_1(%x: tensor<4xi32>) -> tensor<6xi32> {
  %0 = tian.pad %x low = [2] high = [0] {value = -1.000000e+00 : f64} : tensor<4xi32> -> tensor<6xi32>
  return %0 : tensor<6xi32>
}
