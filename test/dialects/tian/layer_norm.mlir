// Round trip of tian.layer_norm: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @layer_norm_0
// CHECK: tian.layer_norm %{{.*}} weight(%{{.*}} : tensor<256xf32>) bias(%{{.*}} : tensor<256xf32>) axis = 2 : tensor<2x128x256xf32>
func.func @layer_norm_0(%x: tensor<2x128x256xf32>, %w: tensor<256xf32>, %b: tensor<256xf32>) -> tensor<2x128x256xf32> {
  %0 = tian.layer_norm %x weight(%w : tensor<256xf32>) bias(%b : tensor<256xf32>) axis = 2 : tensor<2x128x256xf32>
  return %0 : tensor<2x128x256xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm_1
// CHECK: tian.layer_norm %{{.*}} axis = 1 {epsilon = 1.250000e-01 : f64} : tensor<4x6x8xf32>
func.func @layer_norm_1(%x: tensor<4x6x8xf32>) -> tensor<4x6x8xf32> {
  %0 = tian.layer_norm %x axis = 1 {epsilon = 1.250000e-01 : f64} : tensor<4x6x8xf32>
  return %0 : tensor<4x6x8xf32>
}
