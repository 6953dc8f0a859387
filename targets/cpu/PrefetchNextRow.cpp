//===- PrefetchNextRow.cpp - start loading the next row of a row loop -----===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::tian {
#define GEN_PASS_DEF_PREFETCHNEXTROW
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// `%arg[%iv, 0] [1, n] [1, 1]` of a 2-D parameter: one whole row.
bool isRowOf(memref::SubViewOp view, Value iv) {
  auto source = dyn_cast<BlockArgument>(view.getSource());
  auto type = view.getSourceType();
  if (!source || type.getRank() != 2 || !type.hasStaticShape() ||
      !type.getLayout().isIdentity())
    return false;
  SmallVector<OpFoldResult> offsets = view.getMixedOffsets();
  SmallVector<OpFoldResult> sizes = view.getMixedSizes();
  return isa<Value>(offsets[0]) && cast<Value>(offsets[0]) == iv && isConstantIntValue(offsets[1], 0) &&
         isConstantIntValue(sizes[0], 1) && isConstantIntValue(sizes[1], type.getDimSize(1)) &&
         llvm::all_of(view.getMixedStrides(), [](OpFoldResult s) { return isConstantIntValue(s, 1); });
}

struct PrefetchNextRowPass : public tian::impl::PrefetchNextRowBase<PrefetchNextRowPass> {
  using Base::Base;

  void runOnOperation() override {
    getOperation()->walk([&](scf::ForOp loop) {
      Value iv = loop.getInductionVar();
      llvm::SetVector<Value> rows;
      // Rows the loop writes are left alone: prefetching one reads it into
      // the cache, the very read a non-temporal store exists to skip (W6 on
      // two threads was 20% slower with its output rows prefetched).
      llvm::DenseSet<Value> written;
      loop.getBody()->walk([&](Operation *op) {
        Value base;
        if (auto store = dyn_cast<memref::StoreOp>(op))
          base = store.getMemRef();
        else if (auto store = dyn_cast<vector::StoreOp>(op))
          base = store.getBase();
        if (!base)
          return;
        written.insert(base);
        while (auto view = base.getDefiningOp<ViewLikeOpInterface>())
          written.insert(base = view.getViewSource());
      });
      for (Operation &op : loop.getBody()->without_terminator())
        if (auto view = dyn_cast<memref::SubViewOp>(op); view && isRowOf(view, iv) && !written.contains(view.getResult()))
          rows.insert(view.getSource());
      if (rows.empty())
        return;
      OpBuilder b = OpBuilder::atBlockBegin(loop.getBody());
      Location loc = loop.getLoc();
      // min(iv + distance * step, ub - 1): the last rows prefetch the last.
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      std::optional<int64_t> step = getConstantIntValue(loop.getStep());
      Value ahead = step ? Value(arith::ConstantIndexOp::create(b, loc, *step * distance))
                         : Value(arith::MulIOp::create(b, loc, loop.getStep(),
                                                       arith::ConstantIndexOp::create(b, loc, distance)));
      Value next = arith::MinSIOp::create(
          b, loc, arith::AddIOp::create(b, loc, iv, ahead),
          arith::SubIOp::create(b, loc, loop.getUpperBound(), one));
      for (Value row : rows) {
        auto type = cast<MemRefType>(row.getType());
        int64_t perLine = std::max<int64_t>(1, 64 / std::max<int64_t>(1, type.getElementTypeBitWidth() / 8));
        for (int64_t column = 0; column < type.getDimSize(1); column += perLine) {
          Value at = arith::ConstantIndexOp::create(b, loc, column);
          memref::PrefetchOp::create(b, loc, row, ValueRange{next, at}, /*isWrite=*/false,
                                     /*localityHint=*/3, /*isDataCache=*/true);
        }
      }
    });
  }
};

} // namespace
