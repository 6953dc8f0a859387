// RUN: tian-opt %s --tian-expand-strided-copies --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @strided
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<3x6xf32, strided<[12, 1], offset: 6>>) outs(%{{.*}} : memref<3x6xf32>)
func.func @strided(%x: memref<8x6xf32>, %y: memref<3x6xf32>) {
  %s = memref.subview %x[1, 0] [3, 6] [2, 1] : memref<8x6xf32> to memref<3x6xf32, strided<[12, 1], offset: 6>>
  memref.copy %s, %y : memref<3x6xf32, strided<[12, 1], offset: 6>> to memref<3x6xf32>
  return
}

// -----

// Contiguous copies stay memref.copy: they become a memcpy.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%x: memref<4x6xf32>, %y: memref<4x6xf32>) {
  memref.copy %x, %y : memref<4x6xf32> to memref<4x6xf32>
  return
}
