// Round trip of tian.not: custom form, then generic form, re-parsed.
// RUN: tian-opt %s --split-input-file | tian-opt --split-input-file | FileCheck %s
// RUN: tian-opt %s --split-input-file --mlir-print-op-generic | tian-opt --split-input-file | FileCheck %s
// CHECK-LABEL: func.func @not_0
// CHECK: tian.not %{{.*}} : tensor<2x3xi1>
func.func @not_0(%x: tensor<2x3xi1>) -> tensor<2x3xi1> {
  %0 = tian.not %x : tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}
