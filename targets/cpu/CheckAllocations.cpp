//===- CheckAllocations.cpp - a failed allocation is reported, not used ---===//
//
// A traced function whose temporaries do not fit in memory got a null arena
// from malloc and wrote through it (SIGSEGV), where eager mode raised
// MemoryError. Every top-level allocation of a function is now tested; on
// failure the function reports the bytes to tianc's runtime
// (`tianc_allocation_failed`, in libtianc_parallel.so for the JIT and in
// tianc_runtime.c for AOT models), frees what it had allocated and returns.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::tian {
#define GEN_PASS_DEF_CHECKALLOCATIONS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kReportFunction = "tianc_allocation_failed";

/// The bytes of a static, non-empty allocation; nullopt for others (a
/// zero-byte malloc may return null without failing).
std::optional<int64_t> staticBytes(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t bytes = type.getNumElements() *
                  std::max<int64_t>(1, (type.getElementTypeBitWidth() + 7) / 8);
  return bytes > 0 ? std::optional<int64_t>(bytes) : std::nullopt;
}

/// Guards the first checked allocation of `block` and recurses into the
/// rest of the block, which moves under the guard. `earlier` holds the
/// allocations made before, freed on the failure path.
void guard(Block &block, SmallVector<Value> earlier, func::FuncOp report) {
  for (Operation &op : block.without_terminator()) {
    auto alloc = dyn_cast<memref::AllocOp>(op);
    if (!alloc)
      continue;
    std::optional<int64_t> bytes = staticBytes(alloc);
    if (!bytes)
      continue;
    OpBuilder b = OpBuilder::atBlockTerminator(&block);
    b.setInsertionPointAfter(alloc);
    Location loc = alloc.getLoc();
    Value pointer = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, alloc);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, pointer, zero);
    auto ifOp = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/true);
    // The rest of the block runs under the guard.
    Block *then = ifOp.thenBlock();
    Operation *terminator = block.getTerminator();
    while (ifOp->getNextNode() != terminator)
      ifOp->getNextNode()->moveBefore(then->getTerminator());
    OpBuilder failed = ifOp.getElseBodyBuilder();
    Value size = arith::ConstantIntOp::create(failed, loc, *bytes, 64);
    func::CallOp::create(failed, loc, report, ValueRange{size});
    // Free what is still live: the allocations freed later on the success
    // path (some may already be freed before this one).
    for (Value buffer : earlier)
      if (llvm::any_of(buffer.getUsers(), [&](Operation *user) {
            return isa<memref::DeallocOp>(user) && ifOp->isProperAncestor(user);
          }))
        memref::DeallocOp::create(failed, loc, buffer);
    earlier.push_back(alloc);
    guard(*then, std::move(earlier), report);
    return;
  }
}

struct CheckAllocationsPass
    : public tian::impl::CheckAllocationsBase<CheckAllocationsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> functions;
    for (auto function : module.getOps<func::FuncOp>()) {
      if (function.isExternal() || function.getNumResults() != 0 ||
          !function.getBody().hasOneBlock())
        continue;
      bool allocates = llvm::any_of(function.getBody().front(), [](Operation &op) {
        auto alloc = dyn_cast<memref::AllocOp>(op);
        return alloc && staticBytes(alloc);
      });
      if (allocates)
        functions.push_back(function);
    }
    if (functions.empty())
      return;
    auto report = module.lookupSymbol<func::FuncOp>(kReportFunction);
    if (!report) {
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      report = func::FuncOp::create(
          b, module.getLoc(), kReportFunction,
          b.getFunctionType({b.getI64Type()}, {}));
      report.setPrivate();
    }
    for (func::FuncOp function : functions)
      guard(function.getBody().front(), {}, report);
  }
};

} // namespace
