//===- PrepareParallelLoops.cpp - parallel loops that capture params only -===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::tian {
#define GEN_PASS_DEF_PREPAREPARALLELLOOPS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// Whether `value` is an argument of the function itself (not of a loop
/// body: an scf.for's iter_args may alias the function's buffers).
bool isFunctionArgument(Value value) {
  auto argument = dyn_cast<BlockArgument>(value);
  return argument && isa<func::FuncOp>(argument.getOwner()->getParentOp());
}

/// The view ops between a function argument and `value`, outermost first;
/// empty if `value` is not a view of an argument.
SmallVector<Operation *> viewChain(Value value) {
  SmallVector<Operation *> chain;
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>()) {
    if (view->getNumOperands() != 1)
      return {};
    chain.push_back(view);
    value = view.getViewSource();
  }
  if (!isFunctionArgument(value))
    return {};
  return SmallVector<Operation *>(llvm::reverse(chain));
}

/// scf.parallel -> a nest of scf.for with the same body (no reductions).
void makeSequential(scf::ParallelOp loop) {
  OpBuilder builder(loop);
  IRMapping mapping;
  Location loc = loop.getLoc();
  for (auto [iv, lower, upper, step] :
       llvm::zip(loop.getInductionVars(), loop.getLowerBound(), loop.getUpperBound(),
                 loop.getStep())) {
    auto inner = scf::ForOp::create(builder, loc, lower, upper, step);
    mapping.map(iv, inner.getInductionVar());
    builder.setInsertionPointToStart(inner.getBody());
  }
  for (Operation &op : loop.getBody()->without_terminator())
    builder.clone(op, mapping);
  loop.erase();
}

/// The static trip count of a loop dimension, or 1 where unknown.
int64_t tripCount(Value lower, Value upper, Value step) {
  std::optional<int64_t> l = getConstantIntValue(lower), u = getConstantIntValue(upper),
                         s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return 1;
  return std::max<int64_t>(0, (*u - *l + *s - 1) / *s);
}

/// The static trip count of all dimensions of a parallel loop.
int64_t tripCount(scf::ParallelOp loop) {
  int64_t trips = 1;
  for (auto [l, u, s] : llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
    trips *= tripCount(l, u, s);
  return trips;
}

/// Roughly how many innermost iterations `region` runs: the work a loop
/// would share out.
int64_t workIn(Region &region) {
  int64_t work = 0;
  for (Operation &op : region.getOps()) {
    int64_t trips = 1;
    if (auto loop = dyn_cast<scf::ForOp>(op))
      trips = tripCount(loop.getLowerBound(), loop.getUpperBound(), loop.getStep());
    else if (auto loop = dyn_cast<scf::ParallelOp>(op))
      trips = tripCount(loop);
    else if (op.getNumRegions() == 0) {
      // An op that stands for more (tian-block-matmuls' tile calls) says so.
      auto cost = op.getAttrOfType<IntegerAttr>("tian.work");
      work += cost ? std::max<int64_t>(cost.getInt(), 1) : 1;
      continue;
    }
    int64_t inner = 0;
    for (Region &nested : op.getRegions())
      inner += workIn(nested);
    work += trips * std::max<int64_t>(inner, 1);
  }
  return work;
}

/// scf.parallel over the first `parallelDims` dims, scf.for over the rest:
/// (i, j, k) -> (i, j) { scf.for k } lets each task's innermost loop run
/// whole, with static bounds, and vectorize.
scf::ParallelOp keepOuterParallel(scf::ParallelOp loop, unsigned parallelDims) {
  unsigned rank = loop.getNumLoops();
  OpBuilder builder(loop);
  Location loc = loop.getLoc();
  auto outer = scf::ParallelOp::create(builder, loc,
                                       loop.getLowerBound().take_front(parallelDims),
                                       loop.getUpperBound().take_front(parallelDims),
                                       loop.getStep().take_front(parallelDims));
  IRMapping mapping;
  for (unsigned d = 0; d < parallelDims; ++d)
    mapping.map(loop.getInductionVars()[d], outer.getInductionVars()[d]);
  builder.setInsertionPointToStart(outer.getBody());
  for (unsigned d = parallelDims; d < rank; ++d) {
    auto inner = scf::ForOp::create(builder, loc, loop.getLowerBound()[d],
                                    loop.getUpperBound()[d], loop.getStep()[d]);
    mapping.map(loop.getInductionVars()[d], inner.getInductionVar());
    builder.setInsertionPointToStart(inner.getBody());
  }
  for (Operation &op : loop.getBody()->without_terminator())
    builder.clone(op, mapping);
  loop.erase();
  return outer;
}

/// The dims of a parallel loop as one (upstream's collapseParallelLoops):
/// tian-outline-parallel-loops hands one-dim loops to the pool. (Upstream
/// async-parallel-for, which tianc ran loops on before, rounded a multi-dim
/// loop's block size up to whole inner rows without recounting the blocks,
/// so its last blocks ran rows twice: log_softmax of a rank-7 tensor over
/// axis 1 subtracted twice on some rows.)
scf::ParallelOp collapseToOneDim(scf::ParallelOp loop) {
  IRRewriter rewriter(loop.getContext());
  rewriter.setInsertionPoint(loop);
  Operation *next = loop->getNextNode();
  bool staticBounds = llvm::all_of(
      llvm::concat<Value>(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()),
      [](Value v) { return getConstantIntValue(v).has_value(); });
  int64_t trips = tripCount(loop);
  std::vector<unsigned> all(loop.getNumLoops());
  for (unsigned d = 0; d < all.size(); ++d)
    all[d] = d;
  collapseParallelLoops(rewriter, loop, {all});
  auto collapsed = cast<scf::ParallelOp>(next->getPrevNode());
  if (staticBounds) {  // a constant trip count: what async-parallel-for specializes on
    rewriter.setInsertionPoint(collapsed);
    Value count = arith::ConstantIndexOp::create(rewriter, collapsed.getLoc(), trips);
    collapsed.getUpperBoundMutable().assign(count);
  }
  return collapsed;
}

struct PrepareParallelLoopsPass
    : public tian::impl::PrepareParallelLoopsBase<PrepareParallelLoopsPass> {
  using PrepareParallelLoopsBase::PrepareParallelLoopsBase;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal())
      return;
    unsigned buffers = 0;
    bool distinct = true;
    for (unsigned i = 0; i < function.getNumArguments(); ++i) {
      if (!isa<MemRefType>(function.getArgument(i).getType()))
        continue;
      ++buffers;
      distinct &= function.getArgAttr(i, "llvm.noalias") != nullptr;
    }
    // Only kernels (private functions) are parallelized.
    bool parallel = function.isPrivate() && (distinct || buffers <= 1);
    // Only the outermost loop is split into tasks: the loops of a row
    // loop's body (tian-tile-row-groups) run inside one task.
    SmallVector<scf::ParallelOp> nested;
    function.walk([&](scf::ParallelOp loop) {
      if (loop->getParentOfType<scf::ParallelOp>())
        nested.push_back(loop);
    });
    for (scf::ParallelOp loop : nested) // innermost first
      if (loop.getNumResults() == 0)
        makeSequential(loop);
    // The outermost parallel loops: in the function's body, or inside a
    // sequential loop (a reduction over an outer axis:
    // scf.for k { scf.parallel (i, j) { out[i, j] += in[k, i, j] } }) or a
    // branch (tian-check-allocations' test of the arena).
    SmallVector<scf::ParallelOp> loops;
    function.walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        loops.push_back(loop);
    });
    for (scf::ParallelOp loop : loops) {
      llvm::SetVector<Value> captured;
      getUsedValuesDefinedAbove(loop.getRegion(), captured);
      bool sinkable = loop.getNumResults() == 0;
      for (Value value : captured)
        if (isa<MemRefType>(value.getType()) && !isFunctionArgument(value) &&
            viewChain(value).empty())
          sinkable = false; // a buffer from elsewhere: not provably distinct
      // Too little work to pay for waking the other workers (each time the
      // enclosing loops run it).
      bool worthIt = tripCount(loop) * workIn(loop.getRegion()) >= minWork;
      if (!parallel || !sinkable || !worthIt) {
        if (loop.getNumResults() == 0)
          makeSequential(loop);
        continue;
      }
      // Inside a sequential loop, one parallel dim: see collapseToOneDim
      // for why not several (a sum over axis 0 of a 2x17x3 tensor added
      // rows twice).
      if (!isa<func::FuncOp>(loop->getParentOp()) && loop.getNumLoops() > 1)
        loop = keepOuterParallel(loop, 1);
      if (loop.getNumLoops() > 1)
        loop = keepOuterParallel(loop, loop.getNumLoops() - 1);
      if (loop.getNumLoops() > 1)
        loop = collapseToOneDim(loop);
      OpBuilder builder(loop.getBody(), loop.getBody()->begin());
      for (Value value : captured) {
        SmallVector<Operation *> chain = viewChain(value);
        if (chain.empty())
          continue;
        IRMapping mapping;
        for (Operation *view : chain)
          builder.clone(*view, mapping);
        Value inside = mapping.lookup(value);
        replaceAllUsesInRegionWith(value, inside, loop.getRegion());
      }
    }
  }
};

} // namespace
