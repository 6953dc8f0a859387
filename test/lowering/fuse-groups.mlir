// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-tian-to-linalg,tian-fuse-groups))" | FileCheck %s

// A group of elementwise ops becomes one linalg.generic whose body holds
// every op; the op outside the group stays on its own.
// CHECK-LABEL: func.func @chain
// CHECK: %[[F:.*]] = linalg.generic
// CHECK-SAME: tian.fusion_group = 0
// CHECK: arith.mulf
// CHECK: math.tanh
// CHECK: arith.addf
// CHECK: linalg.yield
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[F]]
// CHECK: math.exp
// CHECK-NOT: linalg.generic
func.func @chain(%x: tensor<64xf32>) -> tensor<64xf32> {
  %0 = tian.mul %x, %x {tian.fusion_group = 0 : i64} : tensor<64xf32>, tensor<64xf32> -> tensor<64xf32>
  %1 = tian.tanh %0 {tian.fusion_group = 0 : i64} : tensor<64xf32>
  %2 = tian.add %1, %x {tian.fusion_group = 0 : i64} : tensor<64xf32>, tensor<64xf32> -> tensor<64xf32>
  %3 = tian.exp %2 : tensor<64xf32>
  return %3 : tensor<64xf32>
}

// -----

// A reduction with its elementwise producer: one generic with a reduction
// loop that computes exp on the fly.
// CHECK-LABEL: func.func @exp_sum
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.reduce
func.func @exp_sum(%x: tensor<4x16xf32>) -> tensor<4xf32> {
  %0 = tian.exp %x {tian.fusion_group = 0 : i64} : tensor<4x16xf32>
  %1 = tian.reduce_sum %0 axes = [1] {tian.fusion_group = 0 : i64} : tensor<4x16xf32> -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Different groups are never fused with each other.
// CHECK-LABEL: func.func @two_groups
// CHECK-COUNT-2: linalg.generic
func.func @two_groups(%x: tensor<64xf32>) -> tensor<64xf32> {
  %0 = tian.exp %x {tian.fusion_group = 0 : i64} : tensor<64xf32>
  %1 = tian.neg %0 {tian.fusion_group = 0 : i64} : tensor<64xf32>
  %2 = tian.tanh %1 {tian.fusion_group = 1 : i64} : tensor<64xf32>
  %3 = tian.abs %2 {tian.fusion_group = 1 : i64} : tensor<64xf32>
  return %3 : tensor<64xf32>
}
