//===- LowerParallelDispatch.cpp - parallel loops call tianc_parallel_for --===//
//
// On the LLVM dialect, each call of a dispatch declaration that
// tian-outline-parallel-loops made,
//
//   llvm.call @__tian_parallel_for_T(%a, %b, ..., %trips)
//
// becomes a struct of the arguments on the caller's stack and a call of the
// runtime (targets/cpu/ParallelRuntime.cpp),
//
//   llvm.call @tianc_parallel_for(@T_entry, %struct, %trips)
//
// where T_entry(%struct, %begin, %end) loads the arguments and calls the task
// T(%a, %b, ..., %begin, %end) (inlined where both land in one LLVM module:
// the library build's split may part them, which costs a call per block).
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace mlir::tian {
#define GEN_PASS_DEF_LOWERPARALLELDISPATCH
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kDispatchPrefix = "__tian_parallel_for_";
constexpr llvm::StringLiteral kRuntimeEntry = "tianc_parallel_for";

/// T_entry(ptr %arguments, i64 %begin, i64 %end): T(fields..., begin, end).
LLVM::LLVMFuncOp createEntry(OpBuilder &builder, LLVM::LLVMFuncOp task,
                             LLVM::LLVMStructType fields, SymbolTable &symbols) {
  MLIRContext *context = builder.getContext();
  Location loc = task.getLoc();
  auto pointer = LLVM::LLVMPointerType::get(context);
  auto i64 = IntegerType::get(context, 64);
  auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context), {pointer, i64, i64});
  builder.setInsertionPointAfter(task);
  auto entry = LLVM::LLVMFuncOp::create(builder, loc, (task.getSymName() + "_entry").str(), type,
                                        LLVM::Linkage::Internal);
  symbols.insert(entry);
  Block *block = entry.addEntryBlock(builder);
  builder.setInsertionPointToStart(block);
  SmallVector<Value> arguments;
  for (auto [index, fieldType] : llvm::enumerate(fields.getBody())) {
    Value address = LLVM::GEPOp::create(builder, loc, pointer, fields, block->getArgument(0),
                                        ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
    arguments.push_back(LLVM::LoadOp::create(builder, loc, fieldType, address));
  }
  arguments.append({block->getArgument(1), block->getArgument(2)});
  LLVM::CallOp::create(builder, loc, task, arguments);
  LLVM::ReturnOp::create(builder, loc, ValueRange());
  return entry;
}

struct LowerParallelDispatchPass
    : public tian::impl::LowerParallelDispatchBase<LowerParallelDispatchPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = module.getContext();
    SymbolTable symbols(module);
    SmallVector<LLVM::LLVMFuncOp> dispatches;
    for (auto function : module.getOps<LLVM::LLVMFuncOp>())
      if (function.getSymName().starts_with(kDispatchPrefix) && function.isExternal())
        dispatches.push_back(function);
    if (dispatches.empty())
      return;

    OpBuilder builder(context);
    auto pointer = LLVM::LLVMPointerType::get(context);
    auto i64 = IntegerType::get(context, 64);
    auto runtime = symbols.lookup<LLVM::LLVMFuncOp>(kRuntimeEntry);
    if (!runtime) {
      builder.setInsertionPointToEnd(module.getBody());
      runtime = LLVM::LLVMFuncOp::create(
          builder, module.getLoc(), kRuntimeEntry,
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context), {pointer, pointer, i64}));
    }

    // Every call, by callee, in one walk (a walk per dispatch was
    // quadratic: 0.7 s for ResNet-18's 60).
    llvm::DenseMap<StringAttr, SmallVector<LLVM::CallOp>> callsOf;
    module.walk([&](LLVM::CallOp call) {
      if (FlatSymbolRefAttr callee = call.getCalleeAttr())
        callsOf[callee.getAttr()].push_back(call);
    });
    for (LLVM::LLVMFuncOp dispatch : dispatches) {
      StringRef taskName = dispatch.getSymName().drop_front(kDispatchPrefix.size());
      auto task = symbols.lookup<LLVM::LLVMFuncOp>(taskName);
      if (!task) {
        dispatch.emitError("no task function '") << taskName << "' for this parallel loop";
        return signalPassFailure();
      }
      ArrayRef<Type> parameters = dispatch.getFunctionType().getParams();
      auto fields = LLVM::LLVMStructType::getLiteral(context, parameters.drop_back());
      LLVM::LLVMFuncOp entry = createEntry(builder, task, fields, symbols);
      SmallVector<LLVM::CallOp> &calls = callsOf[dispatch.getSymNameAttr()];
      for (LLVM::CallOp call : calls) {
        Location loc = call.getLoc();
        // In the entry block: one slot however often the call runs.
        auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
        builder.setInsertionPointToStart(&caller.getBody().front());
        Value one = LLVM::ConstantOp::create(builder, loc, i64, builder.getI64IntegerAttr(1));
        Value slot = LLVM::AllocaOp::create(builder, loc, pointer, fields, one);
        builder.setInsertionPoint(call);
        ValueRange operands = call.getArgOperands();
        for (auto [index, value] : llvm::enumerate(operands.drop_back())) {
          Value address = LLVM::GEPOp::create(builder, loc, pointer, fields, slot,
                                              ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(index)});
          LLVM::StoreOp::create(builder, loc, value, address);
        }
        Value body = LLVM::AddressOfOp::create(builder, loc, entry);
        LLVM::CallOp::create(builder, loc, runtime, ValueRange{body, slot, operands.back()});
        call.erase();
      }
      dispatch.erase();
    }
  }
};

} // namespace
