// RUN: tian-opt %s --split-input-file --tian-merge-divisions | FileCheck %s

// A tanh GELU times a sigmoid, as vectors: one division by the product of
// the two denominators (both 1 + exp).
// CHECK-LABEL: func.func @gelu_times_sigmoid
// CHECK-SAME: (%[[U:.*]]: vector<8xf32>, %[[X:.*]]: vector<8xf32>)
// CHECK: %[[B:.*]] = arith.addf %{{.*}}, %[[ONE:.*]] : vector<8xf32>
// CHECK: %[[D:.*]] = arith.addf %{{.*}}, %[[ONE]] : vector<8xf32>
// CHECK: %[[BD:.*]] = arith.mulf %[[B]], %[[D]] : vector<8xf32>
// CHECK: %[[Q:.*]] = arith.divf %[[U]], %[[BD]] : vector<8xf32>
// CHECK-NOT: arith.divf
// CHECK: return %[[Q]]
func.func @gelu_times_sigmoid(%u: vector<8xf32>, %x: vector<8xf32>) -> vector<8xf32> {
  %one = arith.constant dense<1.0> : vector<8xf32>
  %e1 = math.exp %u : vector<8xf32>
  %b = arith.addf %e1, %one : vector<8xf32>
  %gelu = arith.divf %u, %b : vector<8xf32>
  %nx = arith.negf %x : vector<8xf32>
  %e2 = math.exp %nx : vector<8xf32>
  %d = arith.addf %one, %e2 : vector<8xf32>
  %sigmoid = arith.divf %one, %d : vector<8xf32>
  %y = arith.mulf %gelu, %sigmoid : vector<8xf32>
  return %y : vector<8xf32>
}

// -----

// SiLU: x times a reciprocal is one division, whatever the denominator.
// CHECK-LABEL: func.func @silu
// CHECK-SAME: (%[[X:.*]]: f32, %[[D:.*]]: f32)
// CHECK-NEXT: %[[Q:.*]] = arith.divf %[[X]], %[[D]] : f32
// CHECK-NEXT: return %[[Q]]
func.func @silu(%x: f32, %d: f32) -> f32 {
  %one = arith.constant 1.0 : f32
  %r = arith.divf %one, %d : f32
  %y = arith.mulf %r, %x : f32
  return %y : f32
}

// -----

// Must not merge: a denominator not known to be at least 1 (b * d could
// underflow to 0), so only the reciprocal folds into a second division.
// CHECK-LABEL: func.func @unbounded
// CHECK-SAME: (%[[A:.*]]: f32, %[[B:.*]]: f32, %[[X:.*]]: f32)
// CHECK: %[[Q:.*]] = arith.divf %[[A]], %[[B]] : f32
// CHECK: %[[Y:.*]] = arith.divf %[[Q]], %{{.*}} : f32
// CHECK-NOT: arith.mulf
// CHECK: return %[[Y]]
func.func @unbounded(%a: f32, %b: f32, %x: f32) -> f32 {
  %one = arith.constant 1.0 : f32
  %e = math.exp %x : f32
  %d = arith.addf %one, %e : f32
  %q = arith.divf %a, %b : f32
  %r = arith.divf %one, %d : f32
  %y = arith.mulf %q, %r : f32
  return %y : f32
}

// -----

// Must not merge: a constant below 1 (0.5 + exp can be below 1), and a
// term that can be negative (1 + x).
// CHECK-LABEL: func.func @not_at_least_one
// CHECK-COUNT-2: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK-NOT: arith.divf
func.func @not_at_least_one(%a: f32, %x: f32) -> (f32, f32) {
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %e = math.exp %x : f32
  %small = arith.addf %half, %e : f32
  %big = arith.addf %one, %e : f32
  %signed = arith.addf %one, %x : f32
  %q1 = arith.divf %a, %small : f32
  %r1 = arith.divf %one, %big : f32
  %y1 = arith.mulf %q1, %r1 : f32
  %q2 = arith.divf %a, %big : f32
  %r2 = arith.divf %one, %signed : f32
  %y2 = arith.mulf %q2, %r2 : f32
  return %y1, %y2 : f32, f32
}

// -----

// Must not merge: the divisions have other users, which would still need
// them (two divisions and a multiply more, not fewer).
// CHECK-LABEL: func.func @shared
// CHECK: %[[R:.*]] = arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: arith.mulf %{{.*}}, %[[R]] : f32
// CHECK: return
func.func @shared(%x: f32, %d: f32) -> (f32, f32) {
  %one = arith.constant 1.0 : f32
  %r = arith.divf %one, %d : f32
  %y = arith.mulf %x, %r : f32
  return %y, %r : f32, f32
}

// -----

// Must not fold: a reciprocal the loop does not change (softmax's 1 / sum)
// is one division per row; x / d would be one per element.
// CHECK-LABEL: func.func @loop_invariant_reciprocal
// CHECK: scf.for
// CHECK: %[[R:.*]] = arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: arith.mulf %{{.*}}, %[[R]] : f32
func.func @loop_invariant_reciprocal(%x: memref<64xf32>, %sum: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    %r = arith.divf %one, %sum : f32
    %v = memref.load %x[%i] : memref<64xf32>
    %y = arith.mulf %v, %r : f32
    memref.store %y, %x[%i] : memref<64xf32>
  }
  return
}
