// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(tian-stack-loop-buffers))" | FileCheck %s

// A row buffer allocated and freed in every iteration of a sequential loop
// becomes one stack slot at the function's entry.
// CHECK-LABEL: func.func @rows
// CHECK-NEXT: %[[SLOT:.*]] = memref.alloca() {alignment = 64 : i64} : memref<1x1024xf32>
// CHECK: scf.for
// CHECK-NOT: memref.alloc()
// CHECK-NOT: memref.dealloc
// CHECK: linalg.copy ins(%{{.*}} : {{.*}}) outs(%[[SLOT]] : memref<1x1024xf32>)
func.func @rows(%x: memref<8x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %row = memref.subview %x[%i, 0] [1, 1024] [1, 1] : memref<8x1024xf32> to memref<1x1024xf32, strided<[1024, 1], offset: ?>>
    %tmp = memref.alloc() {alignment = 64 : i64} : memref<1x1024xf32>
    linalg.copy ins(%row : memref<1x1024xf32, strided<[1024, 1], offset: ?>>) outs(%tmp : memref<1x1024xf32>)
    linalg.copy ins(%tmp : memref<1x1024xf32>) outs(%row : memref<1x1024xf32, strided<[1024, 1], offset: ?>>)
    memref.dealloc %tmp : memref<1x1024xf32>
  }
  return
}

// -----

// Left on the heap: buffers in iterations that may run at once, buffers
// larger than max-bytes, and buffers outside loops (the memory plan's).
// CHECK-LABEL: func.func @stay
// CHECK-NOT: memref.alloca
// CHECK: memref.alloc() : memref<4xf32>
// CHECK: scf.parallel
// CHECK: memref.alloc() : memref<4xf32>
// CHECK: scf.for
// CHECK: memref.alloc() : memref<32768xf32>
func.func @stay() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %top = memref.alloc() : memref<4xf32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %a = memref.alloc() : memref<4xf32>
    memref.dealloc %a : memref<4xf32>
    scf.reduce
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %big = memref.alloc() : memref<32768xf32>
    memref.dealloc %big : memref<32768xf32>
  }
  memref.dealloc %top : memref<4xf32>
  return
}
