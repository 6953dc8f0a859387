//===- ConvolutionsAsMatmuls.cpp - conv2d as im2col and a matmul ----------===//
//
// A direct convolution lowered to loops is a 7-deep nest that keeps nothing
// in registers (ResNet-18 ran 35-48x slower than ONNX Runtime). As im2col
// (each output position's receptive field laid out as a column) and one
// contraction, it runs on tian-block-matmuls' kernel like any matmul: the
// filter, F x (C*KH*KW), is A; the columns, (C*KH*KW) x (OH*OW) per image,
// are B. The rewrite is upstream's (linalg::rewriteInIm2Col).
//
// The kernel pads A's rows and B's columns to whole tiles. A late ResNet
// stage has few output positions (7x7 = 49: two 48-wide AVX-512 panels,
// half of them padding) and many filters, so there the contraction is
// computed transposed (positions as rows: six 9-row tiles, 54) and copied
// back to NCHW by one linalg.transpose, which costs far less than the
// padding did, when the weights are constants (packed at compile time).
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/MicroKernelShape.h"
#include "targets/cpu/Passes.h"

#include "mlir/IR/Matchers.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::tian {
#define GEN_PASS_DEF_CONVOLUTIONSASMATMULS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The multiply-adds the kernel does for a rows x columns product: both
/// padded to whole tiles.
int64_t paddedWork(int64_t rows, int64_t columns, const tian::MicroKernelShape &tile) {
  return ceilDiv(rows, tile.rows) * tile.rows * ceilDiv(columns, tile.columns()) * tile.columns();
}

/// im2col's contraction C[n, f, p] (+)= W[f, k] X[n, k, p], computed as
/// T[n, p, f] and transposed into C when that pads less than 85% as much:
/// the transpose moves each output element once, the padding costs a
/// reduction's worth of multiply-adds for it.
void transposeWhenNarrow(RewriterBase &rewriter, Operation *last,
                         const tian::MicroKernelShape &tile) {
  Value result = last->getResult(0);
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(last))
    result = expand.getSrc();
  auto contraction = result.getDefiningOp<linalg::GenericOp>();
  if (!contraction || contraction.getNumDpsInputs() != 2 || contraction.getNumDpsInits() != 1)
    return;
  auto type = cast<RankedTensorType>(contraction.getResult(0).getType());
  SmallVector<AffineMap> maps = contraction.getIndexingMapsArray();
  MLIRContext *context = rewriter.getContext();
  AffineMap out = maps[2];
  if (type.getRank() != 3 || out.getNumResults() != 3 ||
      out != AffineMap::getMultiDimIdentityMap(out.getNumDims(), context).getMajorSubMap(3))
    return;
  int64_t filters = type.getDimSize(1), positions = type.getDimSize(2);
  if (paddedWork(positions, filters, tile) * 100 > paddedWork(filters, positions, tile) * 85)
    return;
  // Transposed, the filters are the kernel's B, packed whole before the
  // product: free for constant weights (packed at compile time), but a
  // strided copy of every weight on every call when they are arguments,
  // which then costs more than the padding (W4: 37 to 55 ms).
  Value filter = contraction.getDpsInputs()[0];
  if (auto collapse = filter.getDefiningOp<tensor::CollapseShapeOp>())
    filter = collapse.getSrc();
  if (!matchPattern(filter, m_Constant()))
    return;
  // From zeros only (rewriteInIm2Col's fill of the NCHW result, collapsed
  // to [n, f, p]): T starts from zeros too.
  Value init = contraction.getDpsInits()[0];
  if (auto collapse = init.getDefiningOp<tensor::CollapseShapeOp>())
    init = collapse.getSrc();
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
    return;
  Location loc = contraction.getLoc();
  rewriter.setInsertionPoint(contraction);
  Type f32 = type.getElementType();
  SmallVector<int64_t> transposedShape{type.getDimSize(0), positions, filters};
  Value zeros = linalg::FillOp::create(rewriter, loc, fill.getInputs()[0],
                                       tensor::EmptyOp::create(rewriter, loc, transposedShape, f32)
                                           .getResult())
                    .getResult(0);
  maps[2] = AffineMap::get(out.getNumDims(), 0,
                           {out.getResult(0), out.getResult(2), out.getResult(1)}, context);
  auto transposed = linalg::GenericOp::create(
      rewriter, loc, TypeRange{zeros.getType()}, contraction.getDpsInputs(), ValueRange{zeros},
      maps, contraction.getIteratorTypesArray());
  rewriter.inlineRegionBefore(contraction.getRegion(), transposed.getRegion(),
                              transposed.getRegion().end());
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(), f32);
  auto back = linalg::TransposeOp::create(rewriter, loc, transposed.getResult(0), empty,
                                          ArrayRef<int64_t>{0, 2, 1});
  rewriter.replaceOp(contraction, back->getResults());
}

bool isStaticF32(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasStaticShape() && shaped.getElementType().isF32();
}

struct ConvolutionsAsMatmulsPass
    : public tian::impl::ConvolutionsAsMatmulsBase<ConvolutionsAsMatmulsPass> {
  using ConvolutionsAsMatmulsBase::ConvolutionsAsMatmulsBase;

  void runOnOperation() override {
    SmallVector<linalg::Conv2DNchwFchwOp> convolutions;
    getOperation()->walk([&](linalg::Conv2DNchwFchwOp op) {
      if (op.hasPureTensorSemantics() && llvm::all_of(op->getOperandTypes(), isStaticF32))
        convolutions.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    tian::MicroKernelShape tile = tian::chooseMicroKernel(vectorBits, vectorRegisters);
    for (linalg::Conv2DNchwFchwOp op : convolutions) {
      rewriter.setInsertionPoint(op);
      auto rewritten = linalg::rewriteInIm2Col(rewriter, op);
      if (failed(rewritten)) {
        op->emitWarning("tianc: this convolution runs as a direct loop nest (im2col failed)");
        continue;
      }
      transposeWhenNarrow(rewriter, rewritten->second, tile);
    }
  }
};

} // namespace
