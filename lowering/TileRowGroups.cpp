//===- TileRowGroups.cpp - one loop over rows per tian row group ----------===//
#include "lowering/Passes.h"
#include "passes/FusionGroups.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::tian {
#define GEN_PASS_DEF_TILEROWGROUPS
#include "lowering/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

using tian::kFusionGroupAttr;
using tian::kFusionRowsAttr;

bool inRowGroup(Operation *op) { return op && op->hasAttr(kFusionRowsAttr); }

/// Whether tiling can slice every result of `op`: upstream's tiling needs
/// each output read through a permuted projection, and reports an error
/// (not just a failure) for one written through a broadcast, like the
/// (d0, 0) of a multi-result generic that also keeps a row statistic.
bool tileableResults(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp)
    return true;
  return llvm::all_of(linalgOp.getDpsInitsMutable(), [&](OpOperand &init) {
    return linalgOp.getMatchingIndexingMap(&init).isProjectedPermutation();
  });
}

struct TileRowGroupsPass : public tian::impl::TileRowGroupsBase<TileRowGroupsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    llvm::MapVector<Attribute, SmallVector<Operation *>> groups;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (inRowGroup(op))
        groups[op->getAttr(kFusionGroupAttr)].push_back(op);
    });
    IRRewriter rewriter(context);
    for (auto &[group, ops] : groups)
      tileGroup(rewriter, group, ops);
  }

  /// Tiles the group's result by one row and fuses every other op of the
  /// group into the row loop.
  void tileGroup(IRRewriter &rewriter, Attribute group, ArrayRef<Operation *> ops) {
    auto sameGroup = [&](Operation *op) { return op && op->getAttr(kFusionGroupAttr) == group; };
    // The loop computes the group's result, the one op no other op of the
    // group reads; values of the group read elsewhere are yielded too.
    Operation *root = nullptr;
    for (Operation *op : ops)
      if (llvm::none_of(op->getUsers(), sameGroup)) {
        if (root)
          return; // two results nothing else needs (tian-fuse-rows prevents this)
        root = op;
      }
    auto tileable = dyn_cast_or_null<TilingInterface>(root);
    if (!tileable || root->getNumResults() != 1 || !tileableResults(root))
      return;
    int64_t rows = cast<IntegerAttr>(root->getAttr(kFusionRowsAttr)).getInt();
    size_t loops = tileable.getLoopIteratorTypes().size();
    if (rows <= 0 || static_cast<size_t>(rows) > loops)
      return;
    SmallVector<OpFoldResult> sizes(loops, rewriter.getIndexAttr(0));
    for (int64_t d = 0; d < rows; ++d)
      sizes[d] = rewriter.getIndexAttr(1);

    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(scf::SCFTilingOptions()
                                 .setTileSizes(sizes)
                                 .setLoopType(scf::SCFTilingOptions::LoopType::ForallOp));
    // Only the group and the fills that initialize its reductions.
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp, OpResult producer,
            bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          Operation *op = producer.getOwner();
          if (isa<linalg::FillOp, tensor::EmptyOp>(op))
            return scf::SCFTileAndFuseOptions::ControlFnResult{};
          if (!sameGroup(op) || !tileableResults(op))
            return std::nullopt; // stays outside the loop, computed whole
          scf::SCFTileAndFuseOptions::ControlFnResult result;
          result.yieldProducerReplacement =
              !llvm::all_of(op->getUsers(), [&](Operation *user) { return sameGroup(user); });
          return result;
        });
    rewriter.setInsertionPoint(root);
    FailureOr<scf::SCFTileAndFuseResult> tiled = failure();
    {
      // A failed attempt is a warning below, not an error: upstream's
      // errors would fail nothing yet reach the caller (the Python
      // bindings abort on an error a successful pass left behind).
      ScopedDiagnosticHandler quiet(rewriter.getContext(), [](Diagnostic &diagnostic) {
        return success(diagnostic.getSeverity() == DiagnosticSeverity::Error);
      });
      tiled = scf::tileConsumerAndFuseProducersUsingSCF(rewriter, tileable, options);
    }
    if (failed(tiled)) {
      root->emitWarning("tianc: could not tile this row group; it runs unfused");
      return;
    }
    Operation *loop = tiled->loops.front();
    for (auto [original, replacement] : tiled->replacements)
      rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &use) {
        return !sameGroup(use.getOwner()) && !loop->isAncestor(use.getOwner());
      });
    for (Operation *op : llvm::reverse(ops))
      if (op->use_empty())
        rewriter.eraseOp(op);
  }
};

} // namespace
