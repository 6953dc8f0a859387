// RUN: tian-opt %s --split-input-file --verify-diagnostics \
// RUN:   --pass-pipeline="builtin.module(func.func(tian-map-loops-to-gpu{threads-per-block=128}))" | FileCheck %s

// A 2-D parallel loop becomes one launch over 4*6 = 24 iterations in blocks
// of 128 threads, masked, with the last dimension varying fastest.
// CHECK-LABEL: func.func @fill
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: %[[BLOCKS:.*]] = arith.ceildivsi %[[TOTAL:.*]], %[[C128]]
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]],
// CHECK: %[[BASE:.*]] = arith.muli %[[BX]], %[[C128]]
// CHECK: %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]]
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[ID]], %[[TOTAL]]
// CHECK: scf.if %[[IN]] {
// CHECK: %[[J:.*]] = arith.remui %[[ID]], %{{.*}}
// CHECK: %[[I:.*]] = arith.divui %[[ID]], %{{.*}}
// CHECK: memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<4x6xf32>
// CHECK: gpu.terminator
// CHECK-NOT: scf.parallel
func.func @fill(%out: memref<4x6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c6) step (%c1, %c1) {
    memref.store %one, %out[%i, %j] : memref<4x6xf32>
    scf.reduce
  }
  return
}

// -----

// A sequential loop nest (a full reduction) runs in one thread; the buffer
// it writes is allocated on the host side.
// CHECK-LABEL: func.func @total
// CHECK: %[[BUF:.*]] = memref.alloc() : memref<f32>
// CHECK: %[[ONE:.*]] = arith.constant 1 : index
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]]) threads(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]])
// CHECK-NEXT: scf.for
// CHECK: gpu.terminator
// CHECK: memref.copy %[[BUF]], %{{.*}}
func.func @total(%in: memref<8xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %buf = memref.alloc() : memref<f32>
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %in[%i] : memref<8xf32>
    %acc = memref.load %buf[] : memref<f32>
    %s = arith.addf %acc, %x : f32
    memref.store %s, %buf[] : memref<f32>
  }
  memref.copy %buf, %out : memref<f32> to memref<f32>
  memref.dealloc %buf : memref<f32>
  return
}

// -----

// Must not map: a loop with reductions (scf.reduce with operands).
func.func @reducing(%in: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{a parallel loop with reductions cannot be mapped to the GPU yet}}
  %r = scf.parallel (%i) = (%c0) to (%c8) step (%c1) init (%zero) -> f32 {
    %x = memref.load %in[%i] : memref<8xf32>
    scf.reduce(%x : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %r : f32
}

// -----

// Must not map: the host reads a value from (device) memory.
func.func @host_read(%in: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{this op's result is used by the host}}
  %x = memref.load %in[%c0] : memref<8xf32>
  return %x : f32
}
