// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-prefetch-next-row))" | FileCheck %s

// A row loop over x: the row two steps ahead (the default distance) is
// prefetched line by line (16 floats a line) at the start of every
// iteration; the last rows prefetch the last.
// CHECK-LABEL: func.func private @rows
// CHECK: scf.for %[[I:.*]] = %[[LB:.*]] to %[[UB:.*]] step %[[STEP:.*]] {
// CHECK: %[[TWO:.*]] = arith.constant 2 : index
// CHECK: %[[PLUS:.*]] = arith.addi %[[I]], %[[TWO]]
// CHECK: %[[NEXT:.*]] = arith.minsi %[[PLUS]], %{{.*}}
// CHECK: memref.prefetch %arg0[%[[NEXT]], %{{.*}}], read, locality<3>, data : memref<8x64xf32>
// CHECK-COUNT-3: memref.prefetch %arg0
// CHECK-NOT: memref.prefetch
// CHECK: memref.subview %arg0[%[[I]], 0] [1, 64] [1, 1]
func.func private @rows(%x: memref<8x64xf32>, %y: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    %row = memref.subview %x[%i, 0] [1, 64] [1, 1] : memref<8x64xf32> to memref<1x64xf32, strided<[64, 1], offset: ?>>
    %v = memref.load %row[%c0, %c0] : memref<1x64xf32, strided<[64, 1], offset: ?>>
    memref.store %v, %y[%i] : memref<8xf32>
  }
  return
}

// -----

// A part of a row, or a view that is not indexed by the loop: nothing.
// CHECK-LABEL: func.func private @not_rows
// CHECK-NOT: memref.prefetch
func.func private @not_rows(%x: memref<8x64xf32>, %y: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %half = memref.subview %x[%i, 0] [1, 32] [1, 1] : memref<8x64xf32> to memref<1x32xf32, strided<[64, 1], offset: ?>>
    %first = memref.subview %x[%c0, 0] [1, 64] [1, 1] : memref<8x64xf32> to memref<1x64xf32, strided<[64, 1], offset: ?>>
    %a = memref.load %half[%c0, %c0] : memref<1x32xf32, strided<[64, 1], offset: ?>>
    %b = memref.load %first[%c0, %c0] : memref<1x64xf32, strided<[64, 1], offset: ?>>
    %s = arith.addf %a, %b : f32
    memref.store %s, %y[%i] : memref<8xf32>
  }
  return
}

// -----

// Rows the loop writes are not prefetched (that would read them into the
// cache, the read a streaming store skips), even through a further view.
// CHECK-LABEL: func.func private @written_rows
// CHECK-COUNT-4: memref.prefetch %arg0
// CHECK-NOT: memref.prefetch
func.func private @written_rows(%x: memref<8x64xf32>, %y: memref<8x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %in = memref.subview %x[%i, 0] [1, 64] [1, 1] : memref<8x64xf32> to memref<1x64xf32, strided<[64, 1], offset: ?>>
    %out = memref.subview %y[%i, 0] [1, 64] [1, 1] : memref<8x64xf32> to memref<1x64xf32, strided<[64, 1], offset: ?>>
    %flat = memref.collapse_shape %out [[0, 1]] : memref<1x64xf32, strided<[64, 1], offset: ?>> into memref<64xf32, strided<[1], offset: ?>>
    scf.for %j = %c0 to %c8 step %c1 {
      %v = vector.load %in[%c0, %j] : memref<1x64xf32, strided<[64, 1], offset: ?>>, vector<8xf32>
      vector.store %v, %flat[%j] : memref<64xf32, strided<[1], offset: ?>>, vector<8xf32>
    }
  }
  return
}
