// Round trip of tian.cast: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @cast_0
// CHECK: tian.cast %{{.*}} : tensor<4xf32> to f16
func.func @cast_0(%x: tensor<4xf32>) -> tensor<4xf16> {
  %0 = tian.cast %x : tensor<4xf32> to f16
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @cast_1
// CHECK: tian.cast %{{.*}} : tensor<2x2xi1> to i64
func.func @cast_1(%x: tensor<2x2xi1>) -> tensor<2x2xi64> {
  %0 = tian.cast %x : tensor<2x2xi1> to i64
  return %0 : tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func.func @cast_2
// CHECK: tian.cast %{{.*}} : tensor<4xbf16> to i32
func.func @cast_2(%x: tensor<4xbf16>) -> tensor<4xi32> {
  %0 = tian.cast %x : tensor<4xbf16> to i32
  return %0 : tensor<4xi32>
}
