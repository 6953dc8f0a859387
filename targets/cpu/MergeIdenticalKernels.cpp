//===- MergeIdenticalKernels.cpp - one function per distinct kernel -------===//
//
// A model repeats its layers: ResNet-18 runs the same 3x3 convolution, with
// the same shapes and epilogue, four times in its first stage and three in
// each later one. tian-outline-kernels gives each op its own function, and
// LLVM would compile every copy (the matmul kernels and the async runtime's
// task functions of each): most of a model's compile time. Kernels whose
// text is the same (ops, types, attributes, argument attributes; not their
// names, locations or fusion group numbers) become one function, and every
// call goes to it.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"

#include "passes/FusionGroups.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::tian {
#define GEN_PASS_DEF_MERGEIDENTICALKERNELS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// The function's text under a fixed name: equal texts, equal kernels.
/// Nothing is elided (two large constants differing in one element must
/// not look alike).
std::string textOf(func::FuncOp function) {
  std::string name = function.getSymName().str();
  function.setSymName("kernel");
  std::string text;
  llvm::raw_string_ostream stream(text);
  // Local scope: printing a nested op otherwise numbers the whole module
  // first, once per kernel (a quarter of ResNet-18's MLIR time).
  function->print(stream, OpPrintingFlags().assumeVerified().useLocalScope());
  function.setSymName(name);
  return text;
}

struct MergeIdenticalKernelsPass
    : public tian::impl::MergeIdenticalKernelsBase<MergeIdenticalKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<func::FuncOp> firstWithText;
    llvm::DenseMap<StringAttr, func::FuncOp> replacement;
    for (auto function : module.getOps<func::FuncOp>()) {
      if (!function.isPrivate() || function.isExternal())
        continue;
      // Which group a kernel's op came from was for the stages before this
      // one (and fusion_report); two repeated layers differ only there.
      function.walk([](Operation *op) {
        op->removeAttr(tian::kFusionGroupAttr);
        op->removeAttr(tian::kFusionRowsAttr);
      });
      auto [entry, inserted] = firstWithText.try_emplace(textOf(function), function);
      if (!inserted)
        replacement[function.getSymNameAttr()] = entry->second;
    }
    if (replacement.empty())
      return;
    module.walk([&](func::CallOp call) {
      auto found = replacement.find(call.getCalleeAttr().getAttr());
      if (found != replacement.end())
        call.setCallee(found->second.getSymName());
    });
    SmallVector<func::FuncOp> duplicates;
    for (auto function : module.getOps<func::FuncOp>())
      if (replacement.count(function.getSymNameAttr()))
        duplicates.push_back(function);
    for (func::FuncOp function : duplicates)
      function.erase();
  }
};

} // namespace
