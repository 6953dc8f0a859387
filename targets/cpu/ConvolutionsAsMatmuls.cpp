//===- ConvolutionsAsMatmuls.cpp - conv2d as im2col and a matmul ----------===//
//
// A direct convolution lowered to loops is a 7-deep nest that keeps nothing
// in registers (ResNet-18 ran 35-48x slower than ONNX Runtime). As im2col
// (each output position's receptive field laid out as a column) and one
// contraction, it runs on tian-block-matmuls' kernel like any matmul: the
// filter, F x (C*KH*KW), is A; the columns, (C*KH*KW) x (OH*OW) per image,
// are B. The rewrite is upstream's (linalg::rewriteInIm2Col).
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::tian {
#define GEN_PASS_DEF_CONVOLUTIONSASMATMULS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

bool isStaticF32(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasStaticShape() && shaped.getElementType().isF32();
}

struct ConvolutionsAsMatmulsPass
    : public tian::impl::ConvolutionsAsMatmulsBase<ConvolutionsAsMatmulsPass> {
  void runOnOperation() override {
    SmallVector<linalg::Conv2DNchwFchwOp> convolutions;
    getOperation()->walk([&](linalg::Conv2DNchwFchwOp op) {
      if (op.hasPureTensorSemantics() && llvm::all_of(op->getOperandTypes(), isStaticF32))
        convolutions.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::Conv2DNchwFchwOp op : convolutions) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::rewriteInIm2Col(rewriter, op)))
        op->emitWarning("tianc: this convolution runs as a direct loop nest (im2col failed)");
    }
  }
};

} // namespace
