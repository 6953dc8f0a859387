// Round trip of tian.atanh: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @atanh_0
// CHECK: tian.atanh %{{.*}} : tensor<2x3xf32>
func.func @atanh_0(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tian.atanh %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @atanh_1
// CHECK: tian.atanh %{{.*}} : tensor<4xf16>
func.func @atanh_1(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = tian.atanh %x : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @atanh_2
// CHECK: tian.atanh %{{.*}} : tensor<8xbf16>
func.func @atanh_2(%x: tensor<8xbf16>) -> tensor<8xbf16> {
  %0 = tian.atanh %x : tensor<8xbf16>
  return %0 : tensor<8xbf16>
}
