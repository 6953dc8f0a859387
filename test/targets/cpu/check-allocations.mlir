// RUN: tian-opt %s --tian-check-allocations --split-input-file | FileCheck %s

// The rest of the function runs only when the arena was allocated; a null
// pointer reports its bytes and returns.
// CHECK-LABEL: func.func @arena
// CHECK: %[[A:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1024xi8>
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK: %[[OK:.*]] = arith.cmpi ne, %[[P]], %{{.*}}
// CHECK: scf.if %[[OK]] {
// CHECK:   memref.view %[[A]]
// CHECK:   call @kernel
// CHECK:   memref.dealloc %[[A]]
// CHECK: } else {
// CHECK:   %[[BYTES:.*]] = arith.constant 1024 : i64
// CHECK:   call @tianc_allocation_failed(%[[BYTES]]) : (i64) -> ()
// CHECK-NOT: memref.dealloc
// CHECK: }
// CHECK-NEXT: return
// CHECK: func.func private @tianc_allocation_failed(i64)
func.func private @kernel(memref<16x16xf32>, memref<16x16xf32>)
func.func @arena(%in: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %arena = memref.alloc() {alignment = 64 : i64} : memref<1024xi8>
  %view = memref.view %arena[%c0][] : memref<1024xi8> to memref<16x16xf32>
  call @kernel(%in, %view) : (memref<16x16xf32>, memref<16x16xf32>) -> ()
  memref.dealloc %arena : memref<1024xi8>
  return
}

// -----

// A second allocation nests inside the first's guard; its failure frees the
// first, which is still live. One freed before is not freed again.
// CHECK-LABEL: func.func @two
// CHECK: %[[A:.*]] = memref.alloc() : memref<8xf32>
// CHECK: scf.if
// CHECK:   memref.dealloc %[[A]]
// CHECK:   %[[B:.*]] = memref.alloc() : memref<4xf32>
// CHECK:   scf.if
// CHECK:     %[[C:.*]] = memref.alloc() : memref<2xf32>
// CHECK:     scf.if
// CHECK:       memref.dealloc %[[C]]
// CHECK:       memref.dealloc %[[B]]
// CHECK:     } else {
// CHECK:       arith.constant 8 : i64
// CHECK:       call @tianc_allocation_failed
// CHECK-NEXT:  memref.dealloc %[[B]]
// CHECK-NEXT: }
// CHECK:   } else {
// CHECK:     arith.constant 16 : i64
// CHECK:     call @tianc_allocation_failed
// CHECK-NEXT: }
// CHECK: } else {
// CHECK:   arith.constant 32 : i64
// CHECK:   call @tianc_allocation_failed
// CHECK-NEXT: }
func.func @two() {
  %a = memref.alloc() : memref<8xf32>
  memref.dealloc %a : memref<8xf32>
  %b = memref.alloc() : memref<4xf32>
  %c = memref.alloc() : memref<2xf32>
  memref.dealloc %c : memref<2xf32>
  memref.dealloc %b : memref<4xf32>
  return
}

// -----

// Functions with results, allocations in loops and empty allocations are
// left alone: no declaration is added either.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT: scf.if
// CHECK-NOT: tianc_allocation_failed
func.func @untouched(%n: index) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %empty = memref.alloc() : memref<0xf32>
  memref.dealloc %empty : memref<0xf32>
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc() : memref<16xf32>
    memref.dealloc %t : memref<16xf32>
  }
  %r = memref.alloc() : memref<4xf32>
  return %r : memref<4xf32>
}
