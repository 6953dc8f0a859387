// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-tian-to-linalg,tian-fuse-groups,canonicalize,tian-tile-row-groups),canonicalize,cse)" | FileCheck %s

// softmax as one row loop: the reductions produce their keepdims shape
// directly (no expand_shape), every op of the group works on one row
// inside the scf.forall, and exp is computed once per element, in the
// pass that sums it (the fused op also yields it for the multiply).
// CHECK-LABEL: func.func @softmax
// CHECK-NOT: tensor.expand_shape
// CHECK: scf.forall (%[[ROW:.*]]) in (4) shared_outs(%[[OUT:.*]] = %{{.*}})
// CHECK: %[[X:.*]] = tensor.extract_slice %{{.*}}[%[[ROW]], 0] [1, 8] [1, 1] : tensor<4x8xf32> to tensor<1x8xf32>
// CHECK: linalg.fill
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[X]] : tensor<1x8xf32>)
// CHECK: arith.maximumf
// CHECK: %[[EXP:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[X]], %[[MAX]] : tensor<1x8xf32>, tensor<1x1xf32>)
// CHECK: %[[E:.*]] = math.exp
// CHECK: %[[S:.*]] = arith.addf %[[E]], %{{.*}} fastmath<reassoc>
// CHECK: linalg.yield %[[E]], %[[S]]
// CHECK-NOT: math.exp
// CHECK: %[[SLOT:.*]] = tensor.extract_slice %[[OUT]][%[[ROW]], 0] [1, 8] [1, 1]
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[EXP]]#0, %{{.*}}, %[[EXP]]#1 : tensor<1x8xf32>, tensor<f32>, tensor<1x1xf32>) outs(%[[SLOT]] : tensor<1x8xf32>)
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[Y]] into %[[OUT]][%[[ROW]], 0] [1, 8] [1, 1]
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %one = tian.constant dense<1.0> : tensor<f32>
  %m = tian.reduce_max %x axes = [1] keepdims {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32> -> tensor<4x1xf32>
  %0 = tian.sub %x, %m {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  %1 = tian.exp %0 {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32>
  %s = tian.reduce_sum %1 axes = [1] keepdims {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32> -> tensor<4x1xf32>
  %r = tian.div %one, %s {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<f32>, tensor<4x1xf32> -> tensor<4x1xf32>
  %y = tian.mul %1, %r {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Two row dims: the loop runs over both. Ops outside the group (the exp
// that feeds it, the negation of its result) stay outside the loop.
// CHECK-LABEL: func.func @two_row_dims
// CHECK: math.exp
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 3)
// CHECK-NOT: math.exp
// CHECK: tensor.parallel_insert_slice {{.*}} [1, 1, 8] [1, 1, 1] : tensor<1x1x8xf32> into tensor<2x3x8xf32>
// CHECK: arith.negf
func.func @two_row_dims(%x: tensor<2x3x8xf32>) -> tensor<2x3x8xf32> {
  %e = tian.exp %x : tensor<2x3x8xf32>
  %s = tian.reduce_sum %e axes = [2] keepdims {tian.fusion_group = 0 : i64, tian.fusion_rows = 2 : i64} : tensor<2x3x8xf32> -> tensor<2x3x1xf32>
  %0 = tian.div %e, %s {tian.fusion_group = 0 : i64, tian.fusion_rows = 2 : i64} : tensor<2x3x8xf32>, tensor<2x3x1xf32> -> tensor<2x3x8xf32>
  %1 = tian.neg %0 : tensor<2x3x8xf32>
  return %1 : tensor<2x3x8xf32>
}

// -----

// An epilogue group (tian-fuse-epilogues): each iteration computes one row
// of the matmul, from one row of x and all of w, and applies bias and ReLU
// to it; only the ReLU's row is written out.
// CHECK-LABEL: func.func @linear_relu
// CHECK: scf.forall (%[[ROW:.*]]) in (8)
// CHECK: %[[XROW:.*]] = tensor.extract_slice %{{.*}}[%[[ROW]], 0] [1, 16] [1, 1] : tensor<8x16xf32> to tensor<1x16xf32>
// CHECK: linalg.fill
// CHECK: %[[MM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]{{.*}} ins(%[[XROW]], %{{.*}} : tensor<1x16xf32>, tensor<16x32xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[MM]], %{{.*}} : tensor<1x32xf32>, tensor<32xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @linear_relu(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>, %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %0 = tian.matmul %x, %w {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<8x16xf32>, tensor<16x32xf32> -> tensor<8x32xf32>
  %1 = tian.add %0, %b {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<8x32xf32>, tensor<32xf32> -> tensor<8x32xf32>
  %2 = tian.relu %1 {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<8x32xf32>
  return %2 : tensor<8x32xf32>
}

// -----

// A value of the group also read outside it (the row sum, returned) is
// yielded by the loop next to the group's result.
// CHECK-LABEL: func.func @yields_the_sum
// CHECK: %[[LOOP:.*]]:2 = scf.forall (%{{.*}}) in (4) shared_outs(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<4x8xf32>, tensor<4x1xf32>)
// CHECK: tensor.parallel_insert_slice {{.*}} : tensor<1x8xf32> into tensor<4x8xf32>
// CHECK: tensor.parallel_insert_slice {{.*}} : tensor<1x1xf32> into tensor<4x1xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[LOOP]]#0, %[[LOOP]]#1
func.func @yields_the_sum(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x1xf32>) {
  %s = tian.reduce_sum %x axes = [1] keepdims {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32> -> tensor<4x1xf32>
  %0 = tian.div %x, %s {tian.fusion_group = 0 : i64, tian.fusion_rows = 1 : i64} : tensor<4x8xf32>, tensor<4x1xf32> -> tensor<4x8xf32>
  return %0, %s : tensor<4x8xf32>, tensor<4x1xf32>
}
