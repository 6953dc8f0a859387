// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(tian-block-matmuls)" | FileCheck %s
// RUN: tian-opt %s --split-input-file --pass-pipeline="builtin.module(tian-block-matmuls{vector-bits=512 vector-registers=32})" | FileCheck %s --check-prefix=AVX512

// x @ w.T (a Linear layer): the transpose's copy is dropped, the packing
// reads w along its rows. B is packed into 3 panels of 16 columns (N = 40,
// zero-padded), 96 deep; each task packs its rows of A into tiles of 6 and
// calls the module's one 6x16 tile function per tile, with flat views of
// the packed operands and of C and the offsets into them.
// CHECK-LABEL: func.func @linear
// CHECK-NOT: linalg.transpose
// CHECK: %[[BP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x3x96x16xf32>
// CHECK: scf.forall (%{{.*}}) in (3)
// CHECK: memref.load %arg1[%{{.*}}, %{{.*}}] : memref<40x96xf32>
// CHECK: memref.store %{{.*}}, %[[BP]]
// CHECK: scf.forall (%{{.*}}) in (22)
// CHECK: %[[AP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x96x6xf32>
// The flat views, once per task:
// CHECK-DAG: %[[FLATA:.*]] = memref.reinterpret_cast %[[AP]] to offset: [0], sizes: [1099511627776], strides: [1]
// CHECK-DAG: %[[FLATB:.*]] = memref.reinterpret_cast %[[BP]] to offset: [0], sizes: [1099511627776], strides: [1]
// CHECK-DAG: %[[BASE:.*]], %{{.*}}, %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %arg2
// CHECK-DAG: %[[FLATC:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [1099511627776], strides: [1]
// CHECK: scf.for
// CHECK: memref.load %arg0[%{{.*}}, %{{.*}}] : memref<64x96xf32>
// CHECK-NOT: memref.reinterpret_cast
// CHECK: func.call @tian_matmul_tile_6x16(%[[FLATA]], %{{.*}}, %[[FLATB]], %{{.*}}, %[[FLATC]], %{{.*}}) {tian.no_capture, tian.work = 1152 : i64}
// (tian.work: 96 steps of 6 rows x 2 vectors, for tian-prepare-parallel-loops)
// CHECK: memref.dealloc %[[AP]]
// CHECK: memref.dealloc %[[BP]]
// CHECK-NEXT: return
// The tile: 12 accumulators of 8 carried by the reduction loop, each step
// two vector loads of the panel, one broadcast per row and twelve
// multiply-adds; edge tiles (rows past M, columns past N) mask.
// CHECK-LABEL: func.func private @tian_matmul_tile_6x16(
// CHECK-SAME: passthrough = ["noinline"]
// CHECK: scf.if %arg10 ->
// CHECK: scf.for %{{.*}} = %{{.*}} to %arg7 step %{{.*}} iter_args(%{{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// CHECK-COUNT-2: vector.load %arg2
// CHECK: memref.load %arg0
// CHECK-NEXT: vector.broadcast %{{.*}} : f32 to vector<8xf32>
// CHECK-NEXT: arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : vector<8xf32>
// CHECK-NEXT: arith.addf %{{.*}}, %{{.*}} fastmath<contract> : vector<8xf32>
// CHECK: vector.store %{{.*}}, %arg4
// CHECK: vector.create_mask
// CHECK: vector.maskedstore %arg4
// AVX512-LABEL: func.func @linear
// AVX512: memref.alloc() {alignment = 64 : i64} : memref<1x1x96x48xf32>
// AVX512: memref.alloc() {alignment = 64 : i64} : memref<{{[0-9]+}}x96x8xf32>
// AVX512: func.call @tian_matmul_tile_8x48(
// AVX512-LABEL: func.func private @tian_matmul_tile_8x48(
// AVX512: iter_args(%{{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @linear(%x: memref<64x96xf32>, %w: memref<40x96xf32>, %out: memref<64x40xf32>) {
  %t = memref.alloc() : memref<96x40xf32>
  linalg.transpose ins(%w : memref<40x96xf32>) outs(%t : memref<96x40xf32>) permutation = [1, 0]
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %t : memref<64x96xf32>, memref<96x40xf32>) outs(%out : memref<64x40xf32>) {
  ^bb0(%in: f32, %in_0: f32, %acc: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  memref.dealloc %t : memref<96x40xf32>
  return
}

// -----

// A zero fill of C right before the product becomes zero accumulators in
// the first block of the reduction (K = 600: three blocks of 200): the
// tile function loads C only from the second block on.
// CHECK-LABEL: func.func @zero_filled
// CHECK-NOT: linalg.fill
// CHECK: scf.forall (%{{.*}}) in (16)
// CHECK: scf.for %[[BLOCK:.*]] = %{{.*}} to %c3{{.*}} step
// CHECK: %[[LOADC:.*]] = arith.cmpi ne, %[[BLOCK]], %{{.*}} : index
// CHECK: func.call @tian_matmul_tile_6x16({{.*}}, %[[LOADC]]) {tian.no_capture, tian.work = {{[0-9]+}} : i64}
// CHECK-NOT: linalg.generic
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @zero_filled(%x: memref<48x600xf32>, %w: memref<600x64xf32>, %out: memref<48x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<48x64xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<48x600xf32>, memref<600x64xf32>) outs(%out : memref<48x64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %acc: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// im2col's columns (a generic copying the padded input through an affine
// map) are read through by the packing: no column matrix is made. The
// filter is A for every image (outer dim d0); B is packed per image.
// CHECK-LABEL: func.func @convolution
// CHECK-NOT: linalg.generic
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<2x4x27x16xf32>
// CHECK: affine.apply
// CHECK: memref.load %arg0
// CHECK: scf.forall
#col = affine_map<(d0, d1, d2) -> (d0, d1 floordiv 9, d2 floordiv 8 + (d1 mod 9) floordiv 3, d2 mod 8 + d1 mod 3)>
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#f = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
#x = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
#y = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @convolution(%padded: memref<2x3x10x10xf32>, %filter: memref<40x27xf32>, %out: memref<2x40x64xf32>) {
  %cols = memref.alloc() : memref<2x27x64xf32>
  linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%padded : memref<2x3x10x10xf32>) outs(%cols : memref<2x27x64xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#f, #x, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%filter, %cols : memref<40x27xf32>, memref<2x27x64xf32>) outs(%out : memref<2x40x64xf32>) {
  ^bb0(%in: f32, %in_0: f32, %acc: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %0, %acc : f32
    linalg.yield %1 : f32
  }
  memref.dealloc %cols : memref<2x27x64xf32>
  return
}

// -----

// Too small to pay for packing (under min-multiply-adds), one row (a
// matrix-vector product), or not f32: left as they are.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: scf.forall
// CHECK-COUNT-3: linalg.generic
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @left_alone(%x: memref<8x8xf32>, %w: memref<8x8xf32>, %out: memref<8x8xf32>,
                      %row: memref<1x512xf32>, %big: memref<512x512xf32>, %r: memref<1x512xf32>,
                      %i: memref<64x64xi32>, %j: memref<64x64xi32>, %k: memref<64x64xi32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<8x8xf32>, memref<8x8xf32>) outs(%out : memref<8x8xf32>) {
  ^bb0(%in: f32, %in_0: f32, %acc: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%row, %big : memref<1x512xf32>, memref<512x512xf32>) outs(%r : memref<1x512xf32>) {
  ^bb0(%in: f32, %in_0: f32, %acc: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%i, %j : memref<64x64xi32>, memref<64x64xi32>) outs(%k : memref<64x64xi32>) {
  ^bb0(%in: i32, %in_0: i32, %acc: i32):
    %0 = arith.muli %in, %in_0 : i32
    %1 = arith.addi %acc, %0 : i32
    linalg.yield %1 : i32
  }
  return
}

// -----

// Constant operands (weights captured as constants) are packed at compile
// time: B = w.T read through the transpose into a global of the packed
// panels, A = a constant into row tiles over the whole reduction. Neither
// is packed at run time, and the globals they came from are dropped.
// CHECK: memref.global "private" constant @[[APACKED:.*]] : memref<6x32x6xf32> = dense_resource<
// CHECK-NOT: memref.global "private" constant @lhs :
// CHECK: memref.global "private" constant @[[BPACKED:.*]] : memref<1x2x32x16xf32> = dense_resource<
// CHECK-NOT: memref.global "private" constant @weight :
// CHECK-LABEL: func.func @constant_operands
// CHECK-NOT: linalg.transpose
// CHECK-NOT: memref.alloc
// CHECK-DAG: %[[BP:.*]] = memref.get_global @[[BPACKED]]
// CHECK-DAG: %[[AP:.*]] = memref.get_global @[[APACKED]]
// CHECK: scf.forall
// CHECK-NOT: memref.alloc
// CHECK-DAG: memref.reinterpret_cast %[[AP]] to
// CHECK-DAG: memref.reinterpret_cast %[[BP]] to
// CHECK: func.call @tian_matmul_tile_6x16
// CHECK-NOT: memref.dealloc
// CHECK: return
memref.global "private" constant @lhs : memref<36x32xf32> = dense<0.5>
memref.global "private" constant @weight : memref<32x32xf32> = dense<2.0>
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @constant_operands(%out: memref<36x32xf32>) {
  %x = memref.get_global @lhs : memref<36x32xf32>
  %w = memref.get_global @weight : memref<32x32xf32>
  %t = memref.alloc() : memref<32x32xf32>
  linalg.transpose ins(%w : memref<32x32xf32>) outs(%t : memref<32x32xf32>) permutation = [1, 0]
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %t : memref<36x32xf32>, memref<32x32xf32>) outs(%out : memref<36x32xf32>) {
  ^bb0(%in: f32, %in_0: f32, %acc: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  memref.dealloc %t : memref<32x32xf32>
  return
}

// -----

// The transpose lands in a buffer that a later op overwrites whole (in a
// training step: the updated weight's output buffer): its value dies at the
// product, so it is still read through and dropped. A later op that reads
// the buffer first keeps it (@transpose_read_later).
// CHECK-LABEL: func.func @transpose_overwritten_later
// CHECK-NOT: linalg.transpose
// CHECK: func.call @tian_matmul_tile_6x16
// CHECK: linalg.generic
// CHECK-LABEL: func.func @transpose_read_later
// CHECK: linalg.transpose
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @transpose_overwritten_later(%x: memref<64x96xf32>, %w: memref<96x96xf32>, %out: memref<64x96xf32>, %w_new: memref<96x96xf32>) {
  linalg.transpose ins(%w : memref<96x96xf32>) outs(%w_new : memref<96x96xf32>) permutation = [1, 0]
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w_new : memref<64x96xf32>, memref<96x96xf32>) outs(%out : memref<64x96xf32>) {
  ^bb0(%in: f32, %in_0: f32, %acc: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%w : memref<96x96xf32>) outs(%w_new : memref<96x96xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.mulf %in, %in : f32
    linalg.yield %0 : f32
  }
  return
}
func.func @transpose_read_later(%x: memref<64x96xf32>, %w: memref<96x96xf32>, %out: memref<64x96xf32>, %w_new: memref<96x96xf32>) {
  linalg.transpose ins(%w : memref<96x96xf32>) outs(%w_new : memref<96x96xf32>) permutation = [1, 0]
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w_new : memref<64x96xf32>, memref<96x96xf32>) outs(%out : memref<64x96xf32>) {
  ^bb0(%in: f32, %in_0: f32, %acc: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%w : memref<96x96xf32>) outs(%w_new : memref<96x96xf32>) {
  ^bb0(%in: f32, %o: f32):
    %0 = arith.addf %in, %o : f32
    linalg.yield %0 : f32
  }
  return
}
