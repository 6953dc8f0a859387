// Round trip of tian.bitcast: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @bitcast_0
// CHECK: tian.bitcast %{{.*}} : tensor<4xf32> to i32
func.func @bitcast_0(%x: tensor<4xf32>) -> tensor<4xi32> {
  %0 = tian.bitcast %x : tensor<4xf32> to i32
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @bitcast_1
// CHECK: tian.bitcast %{{.*}} : tensor<2x2xi1> to ui8
func.func @bitcast_1(%x: tensor<2x2xi1>) -> tensor<2x2xui8> {
  %0 = tian.bitcast %x : tensor<2x2xi1> to ui8
  return %0 : tensor<2x2xui8>
}
