// Round trip of tian.iota: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @iota_0
// CHECK: tian.iota dim = 1 : tensor<2x4xi64>
func.func @iota_0() -> tensor<2x4xi64> {
  %0 = tian.iota dim = 1 : tensor<2x4xi64>
  return %0 : tensor<2x4xi64>
}

// -----

// CHECK-LABEL: func.func @iota_1
// CHECK: tian.iota dim = 0 : tensor<8xf32>
func.func @iota_1() -> tensor<8xf32> {
  %0 = tian.iota dim = 0 : tensor<8xf32>
  return %0 : tensor<8xf32>
}
