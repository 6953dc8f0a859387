//===- OutlineParallelLoops.cpp - parallel loops as tasks of tianc's pool --===//
//
// Each one-dim parallel loop tian-prepare-parallel-loops left in a function
// becomes a task function that runs a range of its iterations,
//
//   func.func private @k_task(%captured..., %begin: index, %end: index)
//     scf.for %i = %begin to %end { body at lb + i * step }
//
// and, in its place, a call that hands the range [0, trips) to the pool,
//
//   func.call @__tian_parallel_for_k_task(%captured..., %trips)
//
// which tian-lower-parallel-dispatch turns into a call of the runtime's
// tianc_parallel_for once everything is in the LLVM dialect (where a
// function's address and a struct of its arguments can be taken).
//
// This replaces upstream's async-parallel-for + async runtime: per loop,
// they made a task function, a copy of it for aligned bounds, a coroutine
// and its dispatch code, 60% of ResNet-18's LLVM code, for the same work.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::tian {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// Whether the bare-pointer calling convention can pass `type`: a static
/// shape with static strides and offset (the layout is in the type).
bool passesAsBarePointer(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref)
    return !isa<BaseMemRefType>(type);
  if (!memref.hasStaticShape())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(memref.getStridesAndOffset(strides, offset)))
    return false;
  return ShapedType::isStatic(offset) && llvm::all_of(strides, ShapedType::isStatic);
}

/// Ops cheaper to recompute in the task than to pass: constants and
/// globals' addresses (no operands), and views (so that the task sees the
/// buffer they view, which may be noalias, and dynamic offsets become
/// index parameters).
bool sinksIntoTask(Operation *op) {
  if (op->getNumRegions() != 0 || op->getNumResults() != 1)
    return false;
  if (op->hasTrait<OpTrait::ConstantLike>() || isa<memref::GetGlobalOp>(op))
    return true;
  return isa<ViewLikeOpInterface>(op) && !isa<memref::ViewOp>(op);
}

/// The values the task takes as parameters once the ops that sink into it
/// are cloned at the start of `body` (uses in `region` replaced).
llvm::SetVector<Value> taskParameters(Region &region, Block *body) {
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(region, captured);
  llvm::SetVector<Value> parameters;
  OpBuilder builder = OpBuilder::atBlockBegin(body);
  IRMapping sunk;
  // Sinks the op defining `value` and those of its operands first.
  std::function<Value(Value)> inside = [&](Value value) -> Value {
    if (Value done = sunk.lookupOrNull(value))
      return done;
    Operation *op = value.getDefiningOp();
    if (!op || !sinksIntoTask(op)) {
      parameters.insert(value);
      return value;
    }
    for (Value operand : op->getOperands())
      inside(operand);
    Operation *clone = builder.clone(*op, sunk);
    sunk.map(value, clone->getResult(0));
    return clone->getResult(0);
  };
  for (Value value : captured) {
    Value replacement = inside(value);
    if (replacement != value)
      replaceAllUsesInRegionWith(value, replacement, region);
  }
  return parameters;
}

/// The loop's trip count at `builder`'s point, a constant when static.
Value trips(OpBuilder &builder, Location loc, scf::ParallelOp loop) {
  Value lower = loop.getLowerBound()[0], upper = loop.getUpperBound()[0],
        step = loop.getStep()[0];
  std::optional<int64_t> l = getConstantIntValue(lower), u = getConstantIntValue(upper),
                         s = getConstantIntValue(step);
  if (l && u && s && *s > 0)
    return arith::ConstantIndexOp::create(builder, loc, std::max<int64_t>(0, (*u - *l + *s - 1) / *s));
  Value span = arith::SubIOp::create(builder, loc, upper, lower);
  Value count = arith::CeilDivSIOp::create(builder, loc, span, step);
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  return arith::MaxSIOp::create(builder, loc, count, zero);
}

struct OutlineParallelLoopsPass
    : public tian::impl::OutlineParallelLoopsBase<OutlineParallelLoopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<scf::ParallelOp> loops;
    module.walk([&](scf::ParallelOp loop) {
      if (loop.getNumLoops() == 1 && loop.getNumResults() == 0 &&
          !loop->getParentOfType<scf::ParallelOp>() && loop->getParentOfType<func::FuncOp>())
        loops.push_back(loop);
    });
    for (scf::ParallelOp loop : loops)
      outline(loop, symbols);
  }

  /// Leaves the loop as it is (convert-scf-to-cf runs it sequentially)
  /// when a parameter cannot be passed.
  void outline(scf::ParallelOp loop, SymbolTable &symbols) {
    auto caller = loop->getParentOfType<func::FuncOp>();
    Location loc = loop.getLoc();
    MLIRContext *context = loop.getContext();
    OpBuilder builder(context);

    // The task, built around the loop's body before it is moved in.
    Block *body = loop.getBody();
    Value iv = loop.getInductionVars()[0];
    // The bounds are read in the task too: pass them (or recompute them).
    SmallVector<Value> bounds{loop.getLowerBound()[0], loop.getStep()[0]};
    llvm::SetVector<Value> parameters = taskParameters(loop.getRegion(), body);
    for (Value bound : bounds)
      if (!getConstantIntValue(bound))
        parameters.insert(bound);
    if (!llvm::all_of(parameters, [](Value v) { return passesAsBarePointer(v.getType()); }))
      return;

    SmallVector<Type> types;
    for (Value value : parameters)
      types.push_back(value.getType());
    SmallVector<Type> taskTypes(types);
    taskTypes.append({builder.getIndexType(), builder.getIndexType()});
    builder.setInsertionPointAfter(caller);
    auto task = func::FuncOp::create(builder, loc, (caller.getSymName() + "_task").str(),
                                     builder.getFunctionType(taskTypes, {}));
    task.setPrivate();
    symbols.insert(task);
    // What async-parallel-for{memref-noalias} promised LLVM: the loops
    // tian-prepare-parallel-loops keeps parallel capture distinct buffers.
    for (auto [index, type] : llvm::enumerate(types))
      if (isa<MemRefType>(type))
        task.setArgAttr(index, "llvm.noalias", builder.getUnitAttr());
    Block *entry = task.addEntryBlock();
    IRMapping mapping;
    for (auto [value, argument] : llvm::zip(parameters, entry->getArguments()))
      mapping.map(value, argument);
    builder.setInsertionPointToStart(entry);
    Value begin = entry->getArgument(types.size()), end = entry->getArgument(types.size() + 1);
    auto lookup = [&](Value bound) -> Value {
      if (std::optional<int64_t> constant = getConstantIntValue(bound))
        return arith::ConstantIndexOp::create(builder, loc, *constant);
      return mapping.lookup(bound);
    };
    Value lower = lookup(bounds[0]), step = lookup(bounds[1]);
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    auto range = scf::ForOp::create(builder, loc, begin, end, one);
    builder.setInsertionPointToStart(range.getBody());
    Value i = range.getInductionVar();
    if (!isConstantIntValue(bounds[1], 1))
      i = arith::MulIOp::create(builder, loc, i, step);
    if (!isConstantIntValue(bounds[0], 0))
      i = arith::AddIOp::create(builder, loc, i, lower);
    mapping.map(iv, i);
    for (Operation &op : body->without_terminator())
      builder.clone(op, mapping);
    builder.setInsertionPointToEnd(entry);
    func::ReturnOp::create(builder, loc);

    // The dispatch, declared for tian-lower-parallel-dispatch to lower.
    SmallVector<Type> dispatchTypes(types);
    dispatchTypes.push_back(builder.getIndexType());
    builder.setInsertionPoint(task);
    auto dispatch =
        func::FuncOp::create(builder, loc, ("__tian_parallel_for_" + task.getSymName()).str(),
                             builder.getFunctionType(dispatchTypes, {}));
    dispatch.setPrivate();
    symbols.insert(dispatch);
    builder.setInsertionPoint(loop);
    SmallVector<Value> operands(parameters.begin(), parameters.end());
    operands.push_back(trips(builder, loc, loop));
    func::CallOp::create(builder, loc, dispatch, operands);
    loop.erase();
  }
};

} // namespace
