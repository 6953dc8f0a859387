//===- StoreBoolsAsBytes.cpp - i1 tensors get i8 storage ------------------===//
#include "lowering/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::tian {
#define GEN_PASS_DEF_STOREBOOLSASBYTES
#include "lowering/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

bool isBool(Type type) { return type.isInteger(1); }

/// tensor<...xi1> -> tensor<...xi8>; any other type is returned unchanged.
Type widened(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !isBool(tensor.getElementType()))
    return type;
  return tensor.clone(IntegerType::get(type.getContext(), 8));
}

struct StoreBoolsAsBytesPass
    : public tian::impl::StoreBoolsAsBytesBase<StoreBoolsAsBytesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    Type i8 = IntegerType::get(ctx, 8);

    // Signatures and the entry block arguments.
    module.walk([&](func::FuncOp fn) {
      auto type = fn.getFunctionType();
      SmallVector<Type> inputs = llvm::map_to_vector(type.getInputs(), widened);
      SmallVector<Type> results = llvm::map_to_vector(type.getResults(), widened);
      fn.setType(FunctionType::get(ctx, inputs, results));
      if (!fn.isExternal())
        for (BlockArgument arg : fn.getArguments())
          arg.setType(widened(arg.getType()));
    });

    module.walk([&](Operation *op) {
      // Bool tensor constants become 0/1 bytes.
      if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
        auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
        if (dense && isBool(dense.getElementType())) {
          auto attr = dense.mapValues(i8, [](const APInt &v) { return v.zext(8); });
          constant.setValueAttr(attr);
          constant.getResult().setType(attr.getType());
        }
        return;
      }
      // An element read from what is now i8 storage (a gather's
      // tensor.extract) is read as a byte and truncated back for its users.
      if (auto extract = dyn_cast<tensor::ExtractOp>(op)) {
        if (isBool(extract.getType()) &&
            !isBool(getElementTypeOrSelf(extract.getTensor().getType()))) {
          extract.getResult().setType(i8);
          OpBuilder b(ctx);
          b.setInsertionPointAfter(extract);
          Value narrow = arith::TruncIOp::create(b, extract.getLoc(), b.getI1Type(), extract);
          extract.getResult().replaceAllUsesExcept(narrow, narrow.getDefiningOp());
        }
        return;
      }
      // ... and one written into it (tensor.insert) is extended first.
      if (auto insert = dyn_cast<tensor::InsertOp>(op)) {
        if (isBool(insert.getScalar().getType())) {
          OpBuilder b(insert);
          insert.getScalarMutable().assign(
              arith::ExtUIOp::create(b, insert.getLoc(), i8, insert.getScalar()));
        }
      }
      for (Value result : op->getResults())
        result.setType(widened(result.getType()));
      // Tensor block arguments of loops (scf.forall's shared outputs,
      // scf.for's iter_args) carry the same storage as their results.
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            arg.setType(widened(arg.getType()));
      // linalg.fill of an i1 scalar into what is now an i8 tensor.
      if (auto fill = dyn_cast<linalg::FillOp>(op)) {
        Value scalar = fill.getInputs()[0];
        if (isBool(scalar.getType()) && !isBool(getElementTypeOrSelf(fill.getOutputs()[0]))) {
          OpBuilder b(fill);
          fill->setOperand(0, arith::ExtUIOp::create(b, fill.getLoc(), i8, scalar));
        }
      }
    });

    // Region bodies (linalg.generic/reduce/transpose, tensor.pad, ...): an
    // element block argument of a widened tensor becomes i8 and is truncated
    // back for its users; an i1 yielded into i8 storage is extended.
    module.walk([&](Operation *op) {
      if (!isa<linalg::LinalgOp, tensor::PadOp>(op))
        return;
      for (Region &region : op->getRegions()) {
        if (region.empty() || isa<linalg::FillOp>(op))
          continue;
        Block &body = region.front();
        for (BlockArgument arg : body.getArguments()) {
          if (!isBool(arg.getType()) || !needsByteStorage(op, arg))
            continue;
          arg.setType(i8);
          OpBuilder b = OpBuilder::atBlockBegin(&body);
          Value narrow = arith::TruncIOp::create(b, op->getLoc(), b.getI1Type(), arg);
          arg.replaceAllUsesExcept(narrow, narrow.getDefiningOp());
        }
        Operation *terminator = body.getTerminator();
        OpBuilder b(terminator);
        for (OpOperand &operand : terminator->getOpOperands())
          if (isBool(operand.get().getType()))
            operand.set(arith::ExtUIOp::create(b, op->getLoc(), i8, operand.get()));
      }
    });
  }

  /// Whether a body argument stands for an element of an i8-stored tensor.
  static bool needsByteStorage(Operation *op, BlockArgument arg) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      OpOperand *operand = linalgOp.getMatchingOpOperand(arg);
      return operand && getElementTypeOrSelf(operand->get().getType()).isInteger(8);
    }
    return false; // tensor.pad's arguments are indices
  }
};

} // namespace
