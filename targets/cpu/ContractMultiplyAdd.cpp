//===- ContractMultiplyAdd.cpp - let LLVM fuse multiplies into adds -------===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace mlir::tian {
#define GEN_PASS_DEF_CONTRACTMULTIPLYADD
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

struct ContractMultiplyAddPass
    : public tian::impl::ContractMultiplyAddBase<ContractMultiplyAddPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    getOperation()->walk([&](Operation *op) {
      if (!isa<arith::MulFOp, arith::AddFOp, arith::SubFOp>(op) ||
          op->hasAttr("tian.no_contract"))
        return;
      auto fastMath = cast<arith::ArithFastMathInterface>(op);
      arith::FastMathFlags flags =
          fastMath.getFastMathFlagsAttr().getValue() | arith::FastMathFlags::contract;
      op->setAttr(fastMath.getFastMathAttrName(),
                  arith::FastMathFlagsAttr::get(context, flags));
    });
  }
};

} // namespace
