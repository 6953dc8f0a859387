//===- DistinctResults.cpp - one value per function result ----------------===//
#include "lowering/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::tian {
#define GEN_PASS_DEF_DISTINCTRESULTS
#include "lowering/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

struct DistinctResultsPass
    : public tian::impl::DistinctResultsBase<DistinctResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::DenseSet<Value> seen;
      OpBuilder builder(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<RankedTensorType>(value.getType());
        if (!type || seen.insert(value).second)
          continue;
        Value init = tensor::EmptyOp::create(builder, ret.getLoc(), type.getShape(),
                                             type.getElementType());
        operand.set(linalg::CopyOp::create(builder, ret.getLoc(), value, init)
                        .getResult(0));
      }
    });
  }
};

} // namespace
