// RUN: tian-opt %s --split-input-file --tian-rematerialize=min-gap=3 | FileCheck %s

#id = affine_map<(i) -> (i)>

// %r = relu(%h) is read early and again after a gap; %h is read at the
// late point anyway, so the late use recomputes %r there instead of
// keeping it alive across the gap.
// CHECK-LABEL: func.func @recompute
// CHECK: %[[H:.*]] = linalg.generic
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[H]] : tensor<64xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[R]] : tensor<64xf32>)
// CHECK-COUNT-3: tensor.empty
// CHECK-NEXT: %[[EMPTY:.*]] = tensor.empty() : tensor<64xf32>
// CHECK-NEXT: %[[R2:.*]] = linalg.generic {{.*}} ins(%[[H]] : tensor<64xf32>) outs(%[[EMPTY]] : tensor<64xf32>)
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} ins(%[[R2]], %[[H]] : tensor<64xf32>, tensor<64xf32>)
func.func @recompute(%x: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) {
  %e = tensor.empty() : tensor<64xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.exp %a : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%h : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  %early = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%r : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  %f1 = tensor.empty() : tensor<64xf32>
  %f2 = tensor.empty() : tensor<64xf32>
  %f3 = tensor.empty() : tensor<64xf32>
  %late = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%r, %h : tensor<64xf32>, tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  return %early, %late, %f1 : tensor<64xf32>, tensor<64xf32>, tensor<64xf32>
}

// -----

#id = affine_map<(i) -> (i)>

// Not when recomputing would keep the input alive longer: %h is not read
// at the late point (and %x, a function argument, only by %h: exp is not
// cheap).
// CHECK-LABEL: func.func @input_would_live_longer
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: linalg.generic
func.func @input_would_live_longer(%x: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %e = tensor.empty() : tensor<64xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = math.exp %a : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%h : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  %f1 = tensor.empty() : tensor<64xf32>
  %f2 = tensor.empty() : tensor<64xf32>
  %f3 = tensor.empty() : tensor<64xf32>
  %f4 = tensor.empty() : tensor<64xf32>
  %late = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%r : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.negf %a : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  return %r, %late : tensor<64xf32>, tensor<64xf32>
}

// -----

#id = affine_map<(i) -> (i)>

// Not for expensive ops: exp is not recomputed.
// CHECK-LABEL: func.func @expensive
// CHECK-COUNT-2: linalg.generic
// CHECK-NOT: linalg.generic
func.func @expensive(%x: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
  %e = tensor.empty() : tensor<64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = math.exp %a : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  %f1 = tensor.empty() : tensor<64xf32>
  %f2 = tensor.empty() : tensor<64xf32>
  %f3 = tensor.empty() : tensor<64xf32>
  %f4 = tensor.empty() : tensor<64xf32>
  %late = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%r, %x : tensor<64xf32>, tensor<64xf32>) outs(%e : tensor<64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  return %r, %late : tensor<64xf32>, tensor<64xf32>
}
