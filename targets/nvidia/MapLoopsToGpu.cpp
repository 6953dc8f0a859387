//===- MapLoopsToGpu.cpp - host loop nests to gpu.launch ------------------===//
#include "targets/nvidia/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::tian {
#define GEN_PASS_DEF_MAPLOOPSTOGPU
#include "targets/nvidia/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// Ops the host keeps: they manage buffers rather than touch their contents.
bool staysOnHost(Operation *op) {
  return isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp, memref::CopyOp,
             memref::GetGlobalOp, ViewLikeOpInterface, func::ReturnOp>(op) ||
         isMemoryEffectFree(op);
}

/// gpu.launch with the given grid and block sizes along x (`one` along y
/// and z), its body ending in gpu.terminator; the builder is left at the
/// start of the body.
gpu::LaunchOp createLaunch(OpBuilder &builder, Location loc, Value blocks, Value threads,
                           Value one) {
  auto launch = gpu::LaunchOp::create(builder, loc, blocks, one, one, threads, one, one);
  builder.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(builder, loc);
  builder.setInsertionPointToStart(&launch.getBody().front());
  return launch;
}

LogicalResult mapParallelLoop(scf::ParallelOp loop, int64_t threadsPerBlock) {
  if (loop.getNumResults() != 0)
    return loop.emitError("tianc: a parallel loop with reductions cannot be mapped to the GPU yet");
  OpBuilder builder(loop);
  Location loc = loop.getLoc();
  // Iteration counts per dimension and in all, computed on the host.
  SmallVector<Value> counts;
  Value total = arith::ConstantIndexOp::create(builder, loc, 1);
  for (auto [lower, upper, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    Value span = arith::SubIOp::create(builder, loc, upper, lower);
    Value count = arith::CeilDivSIOp::create(builder, loc, span, step);
    counts.push_back(count);
    total = arith::MulIOp::create(builder, loc, total, count);
  }
  Value threads = arith::ConstantIndexOp::create(builder, loc, threadsPerBlock);
  Value blocks = arith::CeilDivSIOp::create(builder, loc, total, threads);
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  gpu::LaunchOp launch = createLaunch(builder, loc, blocks, threads, one);

  Value linear = arith::AddIOp::create(
      builder, loc, arith::MulIOp::create(builder, loc, launch.getBlockIds().x, threads),
      launch.getThreadIds().x);
  Value inRange =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::ult, linear, total);
  auto guard = scf::IfOp::create(builder, loc, inRange, /*withElseRegion=*/false);
  builder.setInsertionPointToStart(&guard.getThenRegion().front());
  // Row-major delinearization: the last dimension varies fastest, so
  // neighbouring threads touch neighbouring elements.
  IRMapping mapping;
  Value rest = linear;
  for (int dim = static_cast<int>(counts.size()) - 1; dim >= 0; --dim) {
    Value index = dim == 0 ? rest : arith::RemUIOp::create(builder, loc, rest, counts[dim]);
    if (dim != 0)
      rest = arith::DivUIOp::create(builder, loc, rest, counts[dim]);
    Value scaled = arith::MulIOp::create(builder, loc, index, loop.getStep()[dim]);
    mapping.map(loop.getInductionVars()[dim],
                arith::AddIOp::create(builder, loc, scaled, loop.getLowerBound()[dim]));
  }
  for (Operation &op : loop.getBody()->without_terminator())
    builder.clone(op, mapping);
  loop.erase();
  return success();
}

LogicalResult runOnOneThread(Operation *op) {
  for (Value result : op->getResults())
    for (Operation *user : result.getUsers())
      if (!user->getParentOfType<gpu::LaunchOp>())
        return op->emitError("tianc: this op's result is used by the host, which cannot "
                             "read device memory; not supported on the NVIDIA target yet");
  OpBuilder builder(op);
  Value one = arith::ConstantIndexOp::create(builder, op->getLoc(), 1);
  gpu::LaunchOp launch = createLaunch(builder, op->getLoc(), one, one, one);
  op->moveBefore(launch.getBody().front().getTerminator());
  return success();
}

struct MapLoopsToGpuPass : public tian::impl::MapLoopsToGpuBase<MapLoopsToGpuPass> {
  using MapLoopsToGpuBase::MapLoopsToGpuBase;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal())
      return;
    if (!function.getBody().hasOneBlock()) {
      function.emitError("tianc: host code with control flow cannot be mapped to the GPU");
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    for (Operation &op : function.getBody().front())
      ops.push_back(&op);
    for (Operation *op : ops) {
      LogicalResult mapped = success();
      if (auto loop = dyn_cast<scf::ParallelOp>(op))
        mapped = mapParallelLoop(loop, threadsPerBlock);
      else if (!staysOnHost(op))
        mapped = runOnOneThread(op);
      if (failed(mapped))
        return signalPassFailure();
    }
  }
};

} // namespace
