//===- DropEmptyBuffers.cpp - no work, and no odd types, for empty buffers ===//
//
// tian folds every op on empty tensors into constants (TianEmptyTensors.cpp),
// so after bufferization what remains of them is copies of nothing, unused
// globals, and the function's own empty arguments and out-parameters, whose
// type (memref<4x0xf32>) the bare-pointer calling convention cannot lower.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"

namespace mlir::tian {
#define GEN_PASS_DEF_DROPEMPTYBUFFERS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

bool isEmpty(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getNumElements() == 0;
}

/// Writes nothing at all: every buffer it writes has no elements.
bool doesNothing(Operation *op) {
  if (auto copy = dyn_cast<memref::CopyOp>(op))
    return isEmpty(copy.getSource().getType()) || isEmpty(copy.getTarget().getType());
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return linalgOp.getNumDpsInits() > 0 &&
           llvm::all_of(linalgOp.getDpsInits(), [](Value v) { return isEmpty(v.getType()); });
  return false;
}

struct DropEmptyBuffersPass
    : public tian::impl::DropEmptyBuffersBase<DropEmptyBuffersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> idle;
    module.walk([&](Operation *op) {
      if (doesNothing(op))
        idle.push_back(op);
    });
    for (Operation *op : idle)
      op->erase();
    // Buffers of nothing that nothing uses any more (deallocations aside).
    SmallVector<Operation *> unused;
    module.walk([&](Operation *op) {
      if (!isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp>(op) ||
          !isEmpty(op->getResult(0).getType()))
        return;
      if (llvm::all_of(op->getUsers(), [](Operation *user) { return isa<memref::DeallocOp>(user); }))
        unused.push_back(op);
    });
    for (Operation *op : unused) {
      for (Operation *user : llvm::make_early_inc_range(op->getUsers()))
        user->erase();
      op->erase();
    }
    for (auto global : llvm::make_early_inc_range(module.getOps<memref::GlobalOp>()))
      if (isEmpty(global.getType()) && SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
    for (auto function : module.getOps<func::FuncOp>())
      retypeArguments(function);
  }

  void retypeArguments(func::FuncOp function) {
    if (function.isExternal())
      return;
    SmallVector<Type> inputs(function.getArgumentTypes());
    bool changed = false;
    for (auto [index, argument] : llvm::enumerate(function.getArguments())) {
      auto type = dyn_cast<MemRefType>(argument.getType());
      if (!type || !isEmpty(type) || type.getRank() <= 1 || !argument.use_empty())
        continue;
      inputs[index] = MemRefType::get({0}, type.getElementType());
      argument.setType(inputs[index]);
      changed = true;
    }
    if (changed)
      function.setType(FunctionType::get(&getContext(), inputs, function.getResultTypes()));
  }
};

} // namespace
