// RUN: tian-opt %s --split-input-file --tian-transpose-small-operand | FileCheck %s
// RUN: tian-opt %s --split-input-file --tian-transpose-small-operand=swap-operands=false | FileCheck %s --check-prefix=BLOCKED

// x @ W.T with a large W: transpose x and the result, never W. For the
// blocked kernels (swap-operands=false), which read W.T at no cost, as is.
// BLOCKED-LABEL: func.func @linear
// BLOCKED-NEXT: tian.transpose %arg1
// BLOCKED-NEXT: tian.matmul %arg0, %{{.*}} : tensor<4x64xf32>, tensor<64x128xf32>
// BLOCKED-NEXT: return
// CHECK-LABEL: func.func @linear
// CHECK: %[[XT:.*]] = tian.transpose %arg0 perm = [1, 0] : tensor<4x64xf32> -> tensor<64x4xf32>
// CHECK: %[[P:.*]] = tian.matmul %arg1, %[[XT]] : tensor<128x64xf32>, tensor<64x4xf32> -> tensor<128x4xf32>
// CHECK: tian.transpose %[[P]] perm = [1, 0] : tensor<128x4xf32> -> tensor<4x128xf32>
func.func @linear(%x: tensor<4x64xf32>, %w: tensor<128x64xf32>) -> tensor<4x128xf32> {
  %wt = tian.transpose %w perm = [1, 0] : tensor<128x64xf32> -> tensor<64x128xf32>
  %0 = tian.matmul %x, %wt : tensor<4x64xf32>, tensor<64x128xf32> -> tensor<4x128xf32>
  return %0 : tensor<4x128xf32>
}

// -----

// A weight gradient (x.T @ g).T: computed as g.T @ x, the large result never
// transposed (with either option).
// BLOCKED-LABEL: func.func @weight_grad
// BLOCKED: tian.matmul %{{.*}}, %arg0 : tensor<128x4xf32>, tensor<4x64xf32> -> tensor<128x64xf32>
// BLOCKED-NOT: tian.transpose
// BLOCKED: return
// CHECK-LABEL: func.func @weight_grad
// CHECK: %[[GT:.*]] = tian.transpose %arg1 perm = [1, 0] : tensor<4x128xf32> -> tensor<128x4xf32>
// CHECK: tian.matmul %[[GT]], %arg0 : tensor<128x4xf32>, tensor<4x64xf32> -> tensor<128x64xf32>
// CHECK-NOT: tian.transpose
func.func @weight_grad(%x: tensor<4x64xf32>, %g: tensor<4x128xf32>) -> tensor<128x64xf32> {
  %xt = tian.transpose %x perm = [1, 0] : tensor<4x64xf32> -> tensor<64x4xf32>
  %0 = tian.matmul %xt, %g : tensor<64x4xf32>, tensor<4x128xf32> -> tensor<64x128xf32>
  %1 = tian.transpose %0 perm = [1, 0] : tensor<64x128xf32> -> tensor<128x64xf32>
  return %1 : tensor<128x64xf32>
}

// -----

// Left alone when the transposed operand is the small one.
// CHECK-LABEL: func.func @small_weight
// CHECK: tian.transpose %arg1
// CHECK-NEXT: tian.matmul %arg0, %{{.*}} : tensor<64x8xf32>, tensor<8x2xf32>
func.func @small_weight(%x: tensor<64x8xf32>, %w: tensor<2x8xf32>) -> tensor<64x2xf32> {
  %wt = tian.transpose %w perm = [1, 0] : tensor<2x8xf32> -> tensor<8x2xf32>
  %0 = tian.matmul %x, %wt : tensor<64x8xf32>, tensor<8x2xf32> -> tensor<64x2xf32>
  return %0 : tensor<64x2xf32>
}
