//===- MicroKernelShape.h - register and cache blocking per CPU -*- C++ -*-===//
//
// The one place where the CPU targets' matmul blocking is chosen from what
// the target has: its vector width and its number of vector registers.
// tian-block-matmuls reads it; tianc's Python side passes the host's (or
// the AOT target's) figures as pass options.
//
//===----------------------------------------------------------------------===//
#ifndef TIAN_TARGETS_CPU_MICROKERNELSHAPE_H
#define TIAN_TARGETS_CPU_MICROKERNELSHAPE_H

#include <cstdint>

namespace mlir::tian {

/// A register tile of `rows` x `vectors * lanes` accumulators.
struct MicroKernelShape {
  int64_t lanes;   // f32 elements in one vector register
  int64_t vectors; // vector registers across one row of the tile
  int64_t rows;    // rows of the tile: one broadcast element of A each
  int64_t columns() const { return vectors * lanes; }
};

/// The tile that does the most multiply-adds per load (rows * vectors
/// accumulators for rows + vectors loads per step of the reduction), with
/// a register for each vector of B, one for the broadcast element of A and
/// one to spare, and at most 8 rows: 6x16 on AVX2 (16 ymm registers:
/// BLIS's Haswell kernel), 8x48 on AVX-512 and 8x12 on NEON (32 registers;
/// 9 rows would fit, 8 divide the sizes models have). Fewer vectors across
/// win ties: a matrix whose width is not a multiple wastes less.
inline MicroKernelShape chooseMicroKernel(int64_t vectorBits, int64_t registers) {
  MicroKernelShape best{vectorBits / 32, 1, 1};
  double bestIntensity = 0;
  for (int64_t vectors = 1; vectors <= 3; ++vectors) {
    int64_t rows = (registers - 1 - vectors - 1) / vectors;
    // At most 8: channel counts and batches are multiples of 8, which 9
    // rows pad by up to 12.5% (64 filters: 72 rows), and 8 rows still
    // keep the FMA units busy (24 accumulators for 11 loads a step).
    rows = rows > 8 ? 8 : rows;
    double intensity = double(rows * vectors) / double(rows + vectors);
    if (rows >= 1 && intensity > bestIntensity + 1e-9) {
      best = {vectorBits / 32, vectors, rows};
      bestIntensity = intensity;
    }
  }
  return best;
}

/// The depth of one block of the reduction: a KxN micro-panel of packed B
/// (depth x columns floats) stays in half of a 32 KiB L1 while every row
/// tile of A streams past it.
inline int64_t reductionBlock(const MicroKernelShape &shape) {
  int64_t depth = (16 * 1024) / (4 * shape.columns());
  return depth < 128 ? 128 : depth;
}

} // namespace mlir::tian

#endif // TIAN_TARGETS_CPU_MICROKERNELSHAPE_H
