// Round trip of tian.constant: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @constant_0
// CHECK: tian.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @constant_0() -> tensor<2xf32> {
  %0 = tian.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @constant_1
// CHECK: tian.constant dense<3> : tensor<2x2xi64>
func.func @constant_1() -> tensor<2x2xi64> {
  %0 = tian.constant dense<3> : tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func.func @constant_2
// CHECK: tian.constant dense<true> : tensor<i1>
func.func @constant_2() -> tensor<i1> {
  %0 = tian.constant dense<true> : tensor<i1>
  return %0 : tensor<i1>
}
