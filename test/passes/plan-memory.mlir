// RUN: tian-opt %s --split-input-file --tian-plan-memory | FileCheck %s
// RUN: tian-opt %s --split-input-file --tian-plan-memory=in-place=false | FileCheck %s --check-prefix=NOINPLACE

#id = affine_map<(i) -> (i)>

// Three temporaries: %a (1024 B) and %b (512 B) live together; %c (1024 B)
// starts after %a's last use and takes its bytes. Greedy by size places %a
// at 0, %c at 0 (no overlap in time), %b at 1024: a 1536-byte arena, which
// is the lower bound (1024 + 512 live at once); naively 2560 bytes.
// The layout, for pictures of the plan: per buffer its offset, bytes and
// first and last op, where it was allocated, the number of ops.
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: tian.memory_layout = {buffers = array<i64: 0, 1024, {{[0-9]+}}, {{[0-9]+}}, 1024, 512, {{[0-9]+}}, {{[0-9]+}}, 0, 1024, {{[0-9]+}}, {{[0-9]+}}>, origins = [{{.*}}], steps = {{[0-9]+}} : i64}
// CHECK-SAME: tian.memory_plan = {buffers = 3 : i64, lower_bound_bytes = 1536 : i64, naive_bytes = 2560 : i64, planned_peak_bytes = 1536 : i64}
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1536xi8>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%[[C0]]][] : memref<1536xi8> to memref<256xf32>
// CHECK: %[[C1024:.*]] = arith.constant 1024 : index
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%[[C1024]]][] : memref<1536xi8> to memref<128xf32>
// CHECK: %[[C0B:.*]] = arith.constant 0 : index
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%[[C0B]]][] : memref<1536xi8> to memref<256xf32>
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK: memref.dealloc %[[ARENA]] : memref<1536xi8>
// CHECK-NEXT: return
func.func @reuse(%in: memref<256xf32>, %small: memref<128xf32>, %out: memref<256xf32>) {
  %a = memref.alloc() : memref<256xf32>
  %b = memref.alloc() : memref<128xf32>
  %c = memref.alloc() : memref<256xf32>
  memref.copy %in, %a : memref<256xf32> to memref<256xf32>
  memref.copy %small, %b : memref<128xf32> to memref<128xf32>
  memref.copy %a, %out : memref<256xf32> to memref<256xf32>
  memref.copy %in, %c : memref<256xf32> to memref<256xf32>
  memref.copy %b, %small : memref<128xf32> to memref<128xf32>
  memref.copy %c, %out : memref<256xf32> to memref<256xf32>
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<128xf32>
  memref.dealloc %c : memref<256xf32>
  return
}

// -----

#id = affine_map<(i) -> (i)>

// In place: the elementwise op reads %a for the last time and is the first
// to write %b (same map, same size): %b takes %a's bytes.
// CHECK-LABEL: func.func @in_place
// CHECK-SAME: lower_bound_bytes = 1024 : i64, naive_bytes = 2048 : i64, planned_peak_bytes = 1024 : i64
// CHECK: arith.constant 0 : index
// CHECK-NEXT: memref.view %{{.*}} : memref<1024xi8> to memref<256xf32>
// CHECK-NEXT: arith.constant 0 : index
// CHECK-NEXT: memref.view %{{.*}} : memref<1024xi8> to memref<256xf32>
// NOINPLACE-LABEL: func.func @in_place
// NOINPLACE-SAME: planned_peak_bytes = 2048 : i64
func.func @in_place(%in: memref<256xf32>, %out: memref<256xf32>) {
  %a = memref.alloc() : memref<256xf32>
  %b = memref.alloc() : memref<256xf32>
  memref.copy %in, %a : memref<256xf32> to memref<256xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<256xf32>) outs(%b : memref<256xf32>) {
  ^bb0(%x: f32, %y: f32):
    %e = arith.mulf %x, %x : f32
    linalg.yield %e : f32
  }
  memref.copy %b, %out : memref<256xf32> to memref<256xf32>
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<256xf32>
  return
}

// -----

#id = affine_map<(i) -> (i)>

// Never in place while the input is still live: %a is read again after
// the elementwise op, so %b gets its own bytes.
// CHECK-LABEL: func.func @input_still_live
// CHECK-SAME: planned_peak_bytes = 2048 : i64
// CHECK: arith.constant 0 : index
// CHECK-NEXT: memref.view %{{.*}} : memref<2048xi8> to memref<256xf32>
// CHECK-NEXT: arith.constant 1024 : index
// CHECK-NEXT: memref.view %{{.*}} : memref<2048xi8> to memref<256xf32>
func.func @input_still_live(%in: memref<256xf32>, %out: memref<256xf32>, %out2: memref<256xf32>) {
  %a = memref.alloc() : memref<256xf32>
  %b = memref.alloc() : memref<256xf32>
  memref.copy %in, %a : memref<256xf32> to memref<256xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<256xf32>) outs(%b : memref<256xf32>) {
  ^bb0(%x: f32, %y: f32):
    %e = arith.mulf %x, %x : f32
    linalg.yield %e : f32
  }
  memref.copy %a, %out2 : memref<256xf32> to memref<256xf32>
  memref.copy %b, %out : memref<256xf32> to memref<256xf32>
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<256xf32>
  return
}

// -----

// Never in place across different indexings: the op reads %a reversed,
// so element i of %b would overwrite element 255-i of %a before it is read.
// CHECK-LABEL: func.func @permuted_read
// CHECK-SAME: planned_peak_bytes = 2048 : i64
func.func @permuted_read(%in: memref<16x16xf32>, %out: memref<16x16xf32>) {
  %a = memref.alloc() : memref<16x16xf32>
  %b = memref.alloc() : memref<16x16xf32>
  memref.copy %in, %a : memref<16x16xf32> to memref<16x16xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<16x16xf32>) outs(%b : memref<16x16xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  memref.copy %b, %out : memref<16x16xf32> to memref<16x16xf32>
  memref.dealloc %a : memref<16x16xf32>
  memref.dealloc %b : memref<16x16xf32>
  return
}

// -----

// Buffers the plan cannot follow keep their own allocation: one returned
// to the caller, one with a dynamic size. Nothing else: no arena.
// CHECK-LABEL: func.func @unplannable
// CHECK-NOT: tian.memory_plan
// CHECK: %[[R:.*]] = memref.alloc() : memref<4xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-NOT: memref.view
// CHECK: return %[[R]]
func.func @unplannable(%n: index) -> memref<4xf32> {
  %r = memref.alloc() : memref<4xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %d : memref<?xf32>
  return %r : memref<4xf32>
}

// -----

// Views of a buffer extend its lifetime: %a is read through a reshape by
// the last op, so %b (written before it) cannot reuse %a's bytes.
// CHECK-LABEL: func.func @through_views
// CHECK-SAME: planned_peak_bytes = 128 : i64
func.func @through_views(%in: memref<16xf32>, %out: memref<4x4xf32>, %out2: memref<4x4xf32>) {
  %a = memref.alloc() : memref<16xf32>
  %b = memref.alloc() : memref<4x4xf32>
  memref.copy %in, %a : memref<16xf32> to memref<16xf32>
  %shaped = memref.expand_shape %a [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  memref.copy %out2, %b : memref<4x4xf32> to memref<4x4xf32>
  memref.copy %shaped, %out : memref<4x4xf32> to memref<4x4xf32>
  memref.copy %b, %out2 : memref<4x4xf32> to memref<4x4xf32>
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<4x4xf32>
  return
}

// -----

// A buffer written whole again after its value died (bufferization reuses
// dead buffers for later tensors) is planned as two: the bytes in between
// are free for %b. Without the split, %a would span all of %b's lifetime.
// CHECK-LABEL: func.func @split_at_overwrite
// CHECK-SAME: buffers = 3 : i64, lower_bound_bytes = 1024 : i64, naive_bytes = 2048 : i64, planned_peak_bytes = 1024 : i64
// CHECK-COUNT-3: memref.view %{{.*}} : memref<1024xi8> to memref<256xf32>
func.func @split_at_overwrite(%in: memref<256xf32>, %out: memref<256xf32>, %out2: memref<256xf32>) {
  %a = memref.alloc() : memref<256xf32>
  %b = memref.alloc() : memref<256xf32>
  %zero = arith.constant 0.0 : f32
  memref.copy %in, %a : memref<256xf32> to memref<256xf32>
  memref.copy %a, %out : memref<256xf32> to memref<256xf32>
  memref.copy %in, %b : memref<256xf32> to memref<256xf32>
  memref.copy %b, %out2 : memref<256xf32> to memref<256xf32>
  linalg.fill ins(%zero : f32) outs(%a : memref<256xf32>)
  memref.copy %a, %out : memref<256xf32> to memref<256xf32>
  memref.dealloc %a : memref<256xf32>
  memref.dealloc %b : memref<256xf32>
  return
}

// -----

// A buffer passed to a call may be kept by the callee: it keeps its own
// allocation. One passed to a call marked tian.no_capture (tian-block-matmuls'
// tile calls: the callee uses it during the call only) is planned as any
// other use.
// CHECK-LABEL: func.func @calls
// CHECK-SAME: tian.memory_plan = {buffers = 1 : i64
// CHECK-DAG: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<64xi8>
// CHECK-DAG: %[[KEPT:.*]] = memref.alloc() : memref<16xf32>
// CHECK: %[[PLANNED:.*]] = memref.view %[[ARENA]]
// CHECK: call @keeps(%[[KEPT]])
// CHECK: call @uses(%[[PLANNED]]) {tian.no_capture}
func.func private @keeps(memref<16xf32>)
func.func private @uses(memref<16xf32>)
func.func @calls(%in: memref<16xf32>, %out: memref<16xf32>) {
  %kept = memref.alloc() : memref<16xf32>
  %planned = memref.alloc() : memref<16xf32>
  memref.copy %in, %kept : memref<16xf32> to memref<16xf32>
  call @keeps(%kept) : (memref<16xf32>) -> ()
  memref.copy %in, %planned : memref<16xf32> to memref<16xf32>
  call @uses(%planned) {tian.no_capture} : (memref<16xf32>) -> ()
  memref.copy %planned, %out : memref<16xf32> to memref<16xf32>
  memref.dealloc %kept : memref<16xf32>
  memref.dealloc %planned : memref<16xf32>
  return
}

// -----

#id = affine_map<(i) -> (i)>

// Never in place across element sizes, even where the aligned sizes agree
// (6 and 12 bytes both take 64): writing the f32 out[0] would overwrite the
// f16 in[1] before the op reads it (a compiled float16 softmax then sum
// gave garbage: found by the differential suite).
// CHECK-LABEL: func.func @widening_cast_not_in_place
// CHECK-SAME: planned_peak_bytes = 128 : i64
// CHECK: arith.constant 0 : index
// CHECK-NEXT: memref.view %{{.*}} : memref<128xi8> to memref<3xf16>
// CHECK-NEXT: arith.constant 64 : index
// CHECK-NEXT: memref.view %{{.*}} : memref<128xi8> to memref<3xf32>
func.func @widening_cast_not_in_place(%in: memref<3xf16>, %out: memref<3xf32>) {
  %a = memref.alloc() : memref<3xf16>
  %b = memref.alloc() : memref<3xf32>
  memref.copy %in, %a : memref<3xf16> to memref<3xf16>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<3xf16>) outs(%b : memref<3xf32>) {
  ^bb0(%x: f16, %y: f32):
    %e = arith.extf %x : f16 to f32
    linalg.yield %e : f32
  }
  memref.copy %b, %out : memref<3xf32> to memref<3xf32>
  memref.dealloc %a : memref<3xf16>
  memref.dealloc %b : memref<3xf32>
  return
}
