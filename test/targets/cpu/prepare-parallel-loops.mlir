// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-prepare-parallel-loops{min-work=0}))" | FileCheck %s
// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-prepare-parallel-loops))" | FileCheck %s --check-prefix=DEFAULT

// A kernel with distinct (noalias) buffers keeps its parallel loop, and the
// view the loop reads is cloned inside: the loop captures parameters only.
// Tasks split the outer dim; the inner one stays a whole scf.for.
// CHECK-LABEL: func.func private @kernel
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK-NEXT: memref.expand_shape %arg0
// CHECK-NEXT: scf.for %[[J:.*]] =
// CHECK: memref.load {{.*}}[%[[I]], %[[J]]]
// With the default min-work, 16 iterations are not worth a thread.
// DEFAULT-LABEL: func.func private @kernel
// DEFAULT-NOT: scf.parallel
func.func private @kernel(%in: memref<16xf32> {llvm.noalias}, %out: memref<4x4xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %shaped = memref.expand_shape %in [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %shaped[%i, %j] : memref<4x4xf32>
    memref.store %v, %out[%j, %i] : memref<4x4xf32>
    scf.reduce
  }
  return
}

// -----

// Buffers that may overlap: the loop becomes sequential (scf.for), since
// tian-outline-parallel-loops would mark them noalias.
// CHECK-LABEL: func.func private @may_alias
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// CHECK: scf.for
func.func private @may_alias(%a: memref<4x4xf32>, %b: memref<4x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<4x4xf32>
    memref.store %v, %b[%i, %j] : memref<4x4xf32>
    scf.reduce
  }
  return
}

// -----

// The entry function (public) runs its loops sequentially.
// CHECK-LABEL: func.func @entry
// CHECK-NOT: scf.parallel
// CHECK: scf.for
func.func @entry(%a: memref<8xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %zero, %a[%i] : memref<8xf32>
    scf.reduce
  }
  return
}

// -----

// Enough work for the default min-work: parallel. A loop nested in it
// (the body of a row loop) runs inside the task, sequentially.
// DEFAULT-LABEL: func.func private @rows
// DEFAULT: scf.parallel
// DEFAULT-NOT: scf.parallel
// DEFAULT: scf.for
func.func private @rows(%a: memref<4096x1024xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  %c4096 = arith.constant 4096 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c4096) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c1024) step (%c1) {
      memref.store %zero, %a[%i, %j] : memref<4096x1024xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}

// -----

// Three dims: the two outer ones become one parallel dim (the pool takes
// one-dim loops; upstream async-parallel-for ran some rows of a multi-dim
// loop twice, which an in-place update cannot take), the innermost stays a
// whole scf.for.
// CHECK-LABEL: func.func private @in_place_rank3
// CHECK: %[[N:.*]] = arith.constant 15 : index
// CHECK: scf.parallel (%[[IJ:.*]]) = (%{{.*}}) to (%[[N]]) step
// CHECK-NOT: scf.parallel
// CHECK: scf.for %[[K:.*]] =
// CHECK: memref.load
// CHECK: arith.subf
func.func private @in_place_rank3(%x: memref<3x5x4xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c3, %c5, %c4) step (%c1, %c1, %c1) {
    %v = memref.load %x[%i, %j, %k] : memref<3x5x4xf32>
    %w = arith.subf %v, %one : f32
    memref.store %w, %x[%i, %j, %k] : memref<3x5x4xf32>
    scf.reduce
  }
  return
}

// -----

// A loop under a branch (tian-check-allocations' test of the arena) gets the
// same checks as one in the function's body: in the public entry it runs
// sequentially (it was handed to the threads, one trip at a time).
// CHECK-LABEL: func.func @entry_branch
// CHECK-NOT: scf.parallel
// CHECK: scf.if
// CHECK: scf.for
func.func @entry_branch(%a: memref<8x8xf32> {llvm.noalias}, %ok: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.if %ok {
    scf.parallel (%i, %j) = (%c0, %c0) to (%c1, %c8) step (%c1, %c1) {
      memref.store %zero, %a[%i, %j] : memref<8x8xf32>
      scf.reduce
    }
  }
  return
}

// -----

// A call counts as the work its `tian.work` says (tian-block-matmuls' tile
// calls): 16 tasks of one call each would stay sequential as 16 ops, but
// stand for 16 x 8192 here. The same loop without the attribute does not.
// DEFAULT-LABEL: func.func private @tile_calls
// DEFAULT: scf.parallel
// DEFAULT: func.call @tile
// DEFAULT-LABEL: func.func private @plain_calls
// DEFAULT-NOT: scf.parallel
func.func private @tile(memref<16xf32>, index)
func.func private @tile_calls(%a: memref<16xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    func.call @tile(%a, %i) {tian.work = 8192 : i64} : (memref<16xf32>, index) -> ()
    scf.reduce
  }
  return
}
func.func private @plain_calls(%a: memref<16xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    func.call @tile(%a, %i) : (memref<16xf32>, index) -> ()
    scf.reduce
  }
  return
}
