// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-vectorize-loops{vector-bits=256}))" | FileCheck %s

// Elementwise with a broadcast scalar and bounds known only at run time: a
// vector loop over whole steps of 8, then the scalar loop for the rest.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[X:.*]]: memref<?xf32> {llvm.noalias}, %[[S:.*]]: memref<f32> {llvm.noalias}, %[[Y:.*]]: memref<?xf32> {llvm.noalias}, %[[LB:.*]]: index, %[[UB:.*]]: index)
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK: %[[N:.*]] = arith.subi %[[UB]], %[[LB]]
// CHECK: %[[Q:.*]] = arith.divsi %[[N]], %[[C8]]
// CHECK: %[[NV:.*]] = arith.muli %[[Q]], %[[C8]]
// CHECK: %[[VUB:.*]] = arith.addi %[[LB]], %[[NV]]
// CHECK: scf.for %[[I:.*]] = %[[LB]] to %[[VUB]] step %[[C8]] {
// CHECK:   %[[V:.*]] = vector.load %[[X]][%[[I]]] : memref<?xf32>, vector<8xf32>
// CHECK:   %[[SCALE:.*]] = memref.load %[[S]][] : memref<f32>
// CHECK:   %[[E:.*]] = math.exp %[[V]] : vector<8xf32>
// CHECK:   %[[B:.*]] = vector.broadcast %[[SCALE]] : f32 to vector<8xf32>
// CHECK:   %[[M:.*]] = arith.mulf %[[E]], %[[B]] fastmath<contract> : vector<8xf32>
// CHECK:   vector.store %[[M]], %[[Y]][%[[I]]] : memref<?xf32>, vector<8xf32>
// CHECK: }
// CHECK: scf.for %[[J:.*]] = %[[VUB]] to %[[UB]] step %{{.*}} {
// CHECK:   memref.load %[[X]][%[[J]]] : memref<?xf32>
// CHECK:   math.exp %{{.*}} : f32
// CHECK:   memref.store %{{.*}}, %[[Y]][%[[J]]] : memref<?xf32>
func.func @elementwise(%x: memref<?xf32> {llvm.noalias}, %s: memref<f32> {llvm.noalias},
                       %y: memref<?xf32> {llvm.noalias}, %lb: index, %ub: index) {
  %c1 = arith.constant 1 : index
  scf.for %i = %lb to %ub step %c1 {
    %v = memref.load %x[%i] : memref<?xf32>
    %scale = memref.load %s[] : memref<f32>
    %e = math.exp %v : f32
    %m = arith.mulf %e, %scale fastmath<contract> : f32
    memref.store %m, %y[%i] : memref<?xf32>
  }
  return
}

// -----

// A row sum marked reassoc (the linalg-to-loops form: load, add, store at
// a fixed index) and a max: vector accumulators starting at the identity,
// one vector.reduction each after the loop, folded into the buffer. The
// row length is a multiple of 8: no scalar loop is left. The row itself is
// a strided view whose last dim is contiguous.
// CHECK-LABEL: func.func @row_reductions
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<8xf32>
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant dense<0xFF800000> : vector<8xf32>
// CHECK: %[[R:.*]]:2 = scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[SUM:.*]] = %[[ZERO]], %[[MAX:.*]] = %[[NEG_INF]]) -> (vector<8xf32>, vector<8xf32>) {
// CHECK:   %[[V:.*]] = vector.load %{{.*}}[%{{.*}}, %[[I]]] : memref<1x64xf32, strided<[256, 1], offset: ?>>, vector<8xf32>
// CHECK:   %[[S:.*]] = arith.addf %[[V]], %[[SUM]] fastmath<reassoc> : vector<8xf32>
// CHECK:   %[[M:.*]] = arith.maximumf %[[V]], %[[MAX]] : vector<8xf32>
// CHECK:   scf.yield %[[S]], %[[M]] : vector<8xf32>, vector<8xf32>
// CHECK: }
// CHECK: %[[OLD_SUM:.*]] = memref.load %[[ACC_SUM:.*]][%{{.*}}] : memref<1xf32>
// CHECK: %[[TOTAL:.*]] = vector.reduction <add>, %[[R]]#0, %[[OLD_SUM]] fastmath<reassoc> : vector<8xf32> into f32
// CHECK: memref.store %[[TOTAL]], %[[ACC_SUM]][%{{.*}}] : memref<1xf32>
// CHECK: %[[OLD_MAX:.*]] = memref.load %[[ACC_MAX:.*]][%{{.*}}] : memref<1xf32>
// CHECK: %[[BIGGEST:.*]] = vector.reduction <maximumf>, %[[R]]#1, %[[OLD_MAX]] : vector<8xf32> into f32
// CHECK: memref.store %[[BIGGEST]], %[[ACC_MAX]][%{{.*}}] : memref<1xf32>
// CHECK-NOT: scf.for
// CHECK: return
func.func @row_reductions(%x: memref<4x256xf32> {llvm.noalias}, %row: index,
                          %sum: memref<1xf32> {llvm.noalias}, %max: memref<1xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %view = memref.subview %x[%row, 64] [1, 64] [1, 1]
      : memref<4x256xf32> to memref<1x64xf32, strided<[256, 1], offset: ?>>
  scf.for %i = %c0 to %c64 step %c1 {
    %v = memref.load %view[%c0, %i] : memref<1x64xf32, strided<[256, 1], offset: ?>>
    %s = memref.load %sum[%c0] : memref<1xf32>
    %m = memref.load %max[%c0] : memref<1xf32>
    %s2 = arith.addf %v, %s fastmath<reassoc> : f32
    %m2 = arith.maximumf %v, %m : f32
    memref.store %s2, %sum[%c0] : memref<1xf32>
    memref.store %m2, %max[%c0] : memref<1xf32>
  }
  return
}

// -----

// The lanes follow the widest element: i8 conditions stored as bytes next
// to f32 values give 8 lanes of each; a scalar operand is broadcast.
// CHECK-LABEL: func.func @mixed_widths
// CHECK: scf.for
// CHECK:   vector.load %{{.*}} : memref<64xi8>, vector<8xi8>
// CHECK:   arith.trunci %{{.*}} : vector<8xi8> to vector<8xi1>
// CHECK:   arith.select %{{.*}}, %{{.*}}, %{{.*}} : vector<8xi1>, vector<8xf32>
func.func @mixed_widths(%mask: memref<64xi8> {llvm.noalias}, %x: memref<64xf32> {llvm.noalias},
                        %y: memref<64xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    %byte = memref.load %mask[%i] : memref<64xi8>
    %bit = arith.trunci %byte : i8 to i1
    %v = memref.load %x[%i] : memref<64xf32>
    %r = arith.select %bit, %v, %zero : f32
    memref.store %r, %y[%i] : memref<64xf32>
  }
  return
}

// -----

// Left scalar: a float sum without reassoc (its order is the result).
// CHECK-LABEL: func.func @ordered_sum
// CHECK-NOT: vector
func.func @ordered_sum(%x: memref<64xf32> {llvm.noalias}, %sum: memref<f32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %v = memref.load %x[%i] : memref<64xf32>
    %s = memref.load %sum[] : memref<f32>
    %s2 = arith.addf %v, %s : f32
    memref.store %s2, %sum[] : memref<f32>
  }
  return
}

// -----

// Left scalar: the loop walks a column (the induction variable indexes a
// dim that is not the contiguous one).
// CHECK-LABEL: func.func @column
// CHECK-NOT: vector
func.func @column(%x: memref<64x64xf32> {llvm.noalias}, %y: memref<64x64xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %v = memref.load %x[%i, %c0] : memref<64x64xf32>
    memref.store %v, %y[%c0, %i] : memref<64x64xf32>
  }
  return
}

// -----

// Left scalar: the induction variable is a value (an iota), not an index.
// CHECK-LABEL: func.func @iota
// CHECK-NOT: vector
func.func @iota(%y: memref<64xi32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %v = arith.index_cast %i : index to i32
    memref.store %v, %y[%i] : memref<64xi32>
  }
  return
}

// -----

// Left scalar: parameters not marked noalias may overlap, so the store to
// one may feed a later load from the other.
// CHECK-LABEL: func.func @may_alias
// CHECK-NOT: vector
func.func @may_alias(%x: memref<64xf32>, %y: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %v = memref.load %x[%i] : memref<64xf32>
    %w = arith.negf %v : f32
    memref.store %w, %y[%i] : memref<64xf32>
  }
  return
}

// -----

// Left scalar: a buffer the loop writes is also read at another element
// (a recurrence: each iteration reads what an earlier one wrote).
// CHECK-LABEL: func.func @recurrence
// CHECK-NOT: vector
func.func @recurrence(%x: memref<64xf32> {llvm.noalias}, %lb: index) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c0 = arith.constant 0 : index
  scf.for %i = %lb to %c64 step %c1 {
    %first = memref.load %x[%c0] : memref<64xf32>
    %v = memref.load %x[%i] : memref<64xf32>
    %w = arith.addf %v, %first : f32
    memref.store %w, %x[%i] : memref<64xf32>
  }
  return
}

// -----

// A loop known to be shorter than one vector gets narrower vectors (4
// f32 lanes here, half of vector-bits=256): one step, no remainder.
// CHECK-LABEL: func.func @narrowed
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C4:.*]] {
// CHECK:   vector.load %{{.*}} : memref<4xf32>, vector<4xf32>
// CHECK:   vector.store %{{.*}} : memref<4xf32>, vector<4xf32>
// CHECK-NOT: scf.for
// CHECK: return
func.func @narrowed(%x: memref<4xf32> {llvm.noalias}, %y: memref<4xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    memref.store %v, %y[%i] : memref<4xf32>
  }
  return
}

// -----

// Left scalar: fewer iterations than the narrowest vector (128 bits).
// CHECK-LABEL: func.func @short
// CHECK-NOT: vector
func.func @short(%x: memref<3xf32> {llvm.noalias}, %y: memref<3xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %i = %c0 to %c3 step %c1 {
    %v = memref.load %x[%i] : memref<3xf32>
    memref.store %v, %y[%i] : memref<3xf32>
  }
  return
}

// -----

// A store into a buffer of at least streaming-bytes (16 MiB by default)
// is non-temporal in a loop version for aligned addresses; the other
// version, for any address, stores normally.
// CHECK-LABEL: func.func @streaming
// CHECK: %[[BASE:.*]], %[[OFFSET:.*]], %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %[[VIEW:.*]] :
// CHECK: %[[POINTER:.*]] = memref.extract_aligned_pointer_as_index %[[VIEW]]
// CHECK: %[[MISALIGNED:.*]] = arith.andi %{{.*}}, %c63
// CHECK: %[[ALIGNED:.*]] = arith.cmpi eq, %[[MISALIGNED]], %c0
// CHECK: scf.if %[[ALIGNED]] {
// CHECK:   scf.for
// CHECK:     vector.store %{{.*}}, %[[VIEW]][%{{.*}}, %{{.*}}] {alignment = 64 : i64, nontemporal = true}
// CHECK: } else {
// CHECK:   scf.for
// CHECK:     vector.store %{{.*}}, %[[VIEW]][%{{.*}}, %{{.*}}] : memref<1x4096xf32
// CHECK: }
// A small buffer is stored normally.
// CHECK-LABEL: func.func @not_streaming
// CHECK-NOT: nontemporal
// CHECK-NOT: scf.if
func.func @streaming(%x: memref<4096x4096xf32> {llvm.noalias}, %y: memref<1024x4096xf32> {llvm.noalias},
                     %row: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4096 = arith.constant 4096 : index
  %out = memref.subview %x[%row, 0] [1, 4096] [1, 1]
      : memref<4096x4096xf32> to memref<1x4096xf32, strided<[4096, 1], offset: ?>>
  scf.for %i = %c0 to %c4096 step %c1 {
    %v = memref.load %y[%c0, %i] : memref<1024x4096xf32>
    memref.store %v, %out[%c0, %i] : memref<1x4096xf32, strided<[4096, 1], offset: ?>>
  }
  return
}
func.func @not_streaming(%x: memref<64xf32> {llvm.noalias}, %y: memref<64xf32> {llvm.noalias}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %v = memref.load %x[%i] : memref<64xf32>
    memref.store %v, %y[%i] : memref<64xf32>
  }
  return
}
