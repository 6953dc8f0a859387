// Round trip of tian.batch_norm: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @batch_norm_0
// CHECK: tian.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x64x56x56xf32>, tensor<64xf32>
func.func @batch_norm_0(%x: tensor<1x64x56x56xf32>, %p: tensor<64xf32>) -> tensor<1x64x56x56xf32> {
  %0 = tian.batch_norm %x, %p, %p, %p, %p : tensor<1x64x56x56xf32>, tensor<64xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// CHECK-LABEL: func.func @batch_norm_1
// CHECK: tian.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 5.000000e-01 : f64} : tensor<8x16xf32>, tensor<16xf32>
func.func @batch_norm_1(%x: tensor<8x16xf32>, %p: tensor<16xf32>) -> tensor<8x16xf32> {
  %0 = tian.batch_norm %x, %p, %p, %p, %p {epsilon = 5.000000e-01 : f64} : tensor<8x16xf32>, tensor<16xf32>
  return %0 : tensor<8x16xf32>
}
