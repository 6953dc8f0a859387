//===- TianToLinalg.cpp - primitive tian ops to linalg/tensor -------------===//
//
// Elementwise ops share one pattern: a linalg.generic over the result shape
// whose body is the op's own buildScalar and whose indexing maps encode numpy
// broadcasting. The other primitives map to linalg named ops, linalg.reduce
// or tensor ops. Everything stays on tensors: bufferization comes later.
//
//===----------------------------------------------------------------------===//
#include "lowering/Passes.h"

#include "dialects/tian/TianOps.h"
#include "passes/FusionGroups.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mlir::tian {
#define GEN_PASS_DEF_CONVERTTIANTOLINALG
#include "lowering/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;
using namespace mlir::tian;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The map that reads an operand of `operandShape` at each point of a loop
/// nest over `resultShape`: trailing dimensions align, and a dimension of
/// size 1 that the result stretches is read at index 0.
AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> resultShape) {
  unsigned rank = resultShape.size();
  unsigned offset = rank - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i < operandShape.size(); ++i)
    exprs.push_back(operandShape[i] == 1 && resultShape[offset + i] != 1
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(offset + i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   TypedAttr value) {
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, scalar, emptyTensor(b, loc, type))
      .getResult(0);
}

/// Reshape between static shapes with the same number of elements, through
/// a rank-1 (or rank-0) form; canonicalization merges the pair.
Value reshapeTo(OpBuilder &b, Location loc, Value value, RankedTensorType to) {
  auto from = cast<RankedTensorType>(value.getType());
  if (from == to)
    return value;
  auto allDims = [](int64_t rank) {
    ReassociationIndices group;
    for (int64_t i = 0; i < rank; ++i)
      group.push_back(i);
    return SmallVector<ReassociationIndices>{group};
  };
  if (from.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, to, value,
                                         SmallVector<ReassociationIndices>{});
  if (to.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, to, value,
                                           SmallVector<ReassociationIndices>{});
  Value flat = value;
  if (from.getRank() != 1)
    flat = tensor::CollapseShapeOp::create(
        b, loc,
        RankedTensorType::get({from.getNumElements()}, from.getElementType()),
        value, allDims(from.getRank()));
  if (to.getRank() == 1)
    return flat;
  return tensor::ExpandShapeOp::create(b, loc, to, flat, allDims(to.getRank()));
}

LogicalResult requireStatic(Operation *op, PatternRewriter &rewriter) {
  for (Type type : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    if (auto ranked = dyn_cast<RankedTensorType>(type); !ranked || !ranked.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes are not lowered yet");
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise: one linalg.generic whose body is the op's buildScalar
//===----------------------------------------------------------------------===//

// Each lowering carries the op's fusion attributes (tian-fuse-*) onto its
// linalg op with tian::copyFusionAttributes: tian-fuse-groups and
// tian-tile-row-groups act on them.

struct LowerElementwise : OpInterfaceRewritePattern<ElementwiseOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(ElementwiseOpInterface op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    MLIRContext *ctx = op->getContext();
    Location loc = op->getLoc();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    SmallVector<AffineMap> maps;
    for (Value operand : op->getOperands())
      maps.push_back(broadcastMap(
          ctx, cast<RankedTensorType>(operand.getType()).getShape(),
          resultType.getShape()));
    maps.push_back(AffineMap::getMultiDimIdentityMap(resultType.getRank(), ctx));
    SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, op->getOperands(),
        ValueRange{emptyTensor(rewriter, loc, resultType)}, maps, iterators,
        [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
          Value element = op.buildScalar(b, bodyLoc, args.drop_back());
          linalg::YieldOp::create(b, bodyLoc, element);
        });
    tian::copyFusionAttributes(op, generic);
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Constants and generators
//===----------------------------------------------------------------------===//

struct LowerConstant : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValueAttr()));
    return success();
  }
};

/// Philox4x32-10 of (counter, 0) under `key` (both i64): the first output
/// word. Constants from Salmon et al. (SC'11), as in Random123 and cuRAND.
Value philoxFirstWord(OpBuilder &b, Location loc, Value key, Value counter) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto constant32 = [&](uint32_t v) {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(i32, static_cast<int64_t>(v)));
  };
  auto half = [&](Value v, bool high) -> Value {
    if (high)
      v = arith::ShRUIOp::create(b, loc, v,
                                 arith::ConstantOp::create(b, loc, b.getIntegerAttr(i64, 32)));
    return arith::TruncIOp::create(b, loc, i32, v);
  };
  Value c0 = half(counter, false), c1 = half(counter, true);
  Value c2 = constant32(0), c3 = constant32(0);
  Value k0 = half(key, false), k1 = half(key, true);
  Value m0 = constant32(0xD2511F53), m1 = constant32(0xCD9E8D57);
  Value w0 = constant32(0x9E3779B9), w1 = constant32(0xBB67AE85);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = arith::AddIOp::create(b, loc, k0, w0);
      k1 = arith::AddIOp::create(b, loc, k1, w1);
    }
    auto p0 = arith::MulUIExtendedOp::create(b, loc, m0, c0);
    auto p1 = arith::MulUIExtendedOp::create(b, loc, m1, c2);
    Value next0 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, p1.getHigh(), c1), k0);
    Value next2 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, p0.getHigh(), c3), k1);
    c0 = next0;
    c1 = p1.getLow();
    c2 = next2;
    c3 = p0.getLow();
  }
  return c0;
}

struct LowerRandomUniform : OpRewritePattern<RandomUniformOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RandomUniformOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value key = tensor::ExtractOp::create(rewriter, loc, op.getState(), ValueRange{zero});
    Value counter = tensor::ExtractOp::create(rewriter, loc, op.getState(), ValueRange{one});
    ArrayRef<int64_t> shape = type.getShape();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{},
        ValueRange{emptyTensor(rewriter, loc, type)},
        SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, op.getContext())},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          // The row-major position of the element.
          Value linear = arith::ConstantIndexOp::create(b, l, 0);
          for (int64_t d = 0; d < rank; ++d) {
            Value size = arith::ConstantIndexOp::create(b, l, shape[d]);
            linear = arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, linear, size),
                                           linalg::IndexOp::create(b, l, d));
          }
          Value position = arith::IndexCastOp::create(b, l, b.getI64Type(), linear);
          Value word = philoxFirstWord(b, l, key,
                                       arith::AddIOp::create(b, l, counter, position));
          Value top = arith::ShRUIOp::create(
              b, l, word,
              arith::ConstantOp::create(b, l, b.getIntegerAttr(b.getI32Type(), 8)));
          Value asFloat = arith::UIToFPOp::create(b, l, b.getF32Type(), top);
          Value scaled = arith::MulFOp::create(
              b, l, asFloat, arith::ConstantOp::create(b, l, b.getF32FloatAttr(0x1.0p-24f)));
          if (type.getElementType() != b.getF32Type())
            scaled = arith::TruncFOp::create(b, l, type.getElementType(), scaled);
          linalg::YieldOp::create(b, l, scaled);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct LowerIota : OpRewritePattern<IotaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IotaOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    auto type = op.getType();
    Type elem = type.getElementType();
    int64_t rank = type.getRank();
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), TypeRange{type}, ValueRange{},
        ValueRange{emptyTensor(rewriter, op.getLoc(), type)},
        SmallVector<AffineMap>{
            AffineMap::getMultiDimIdentityMap(rank, op.getContext())},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location loc, ValueRange) {
          Value index = linalg::IndexOp::create(b, loc, op.getDim());
          Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
          Value value;
          if (isa<FloatType>(elem))
            value = arith::SIToFPOp::create(b, loc, elem, asInt);
          else if (elem.getIntOrFloatBitWidth() < 64)
            value = arith::TruncIOp::create(b, loc, elem, asInt);
          else
            value = asInt;
          linalg::YieldOp::create(b, loc, value);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

struct LowerMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto resultType = op.getType();
    Type elem = resultType.getElementType();
    Value init = filledTensor(rewriter, loc, resultType,
                              cast<TypedAttr>(rewriter.getZeroAttr(elem)));
    auto lhsType = op.getLhs().getType(), rhsType = op.getRhs().getType();
    // One linalg.generic for every case, batch dimensions broadcast in the
    // maps. Loops are ordered (batch..., m, k, n): loop lowering nests them in
    // this order, so the innermost loop walks a row of rhs and of the result
    // contiguously (a vectorizable AXPY) instead of a strided dot product.
    MLIRContext *ctx = op.getContext();
    int64_t rank = resultType.getRank(), batch = rank - 2;
    ArrayRef<int64_t> batchShape = resultType.getShape().drop_back(2);
    auto operandMap = [&](RankedTensorType type, AffineExpr row, AffineExpr col) {
      AffineMap batchMap =
          broadcastMap(ctx, type.getShape().drop_back(2), batchShape);
      SmallVector<AffineExpr> exprs(batchMap.getResults());
      exprs.push_back(row);
      exprs.push_back(col);
      return AffineMap::get(rank + 1, 0, exprs, ctx);
    };
    AffineExpr m = getAffineDimExpr(batch, ctx), k = getAffineDimExpr(batch + 1, ctx),
               n = getAffineDimExpr(batch + 2, ctx);
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < batch; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    outExprs.push_back(m);
    outExprs.push_back(n);
    SmallVector<AffineMap> maps = {operandMap(lhsType, m, k),
                                   operandMap(rhsType, k, n),
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank + 1, utils::IteratorType::parallel);
    iterators[batch + 1] = utils::IteratorType::reduction;
    bool isFloat = isa<FloatType>(elem);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType},
        ValueRange{op.getLhs(), op.getRhs()}, ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value product =
              isFloat ? Value(arith::MulFOp::create(b, l, args[0], args[1]))
                      : Value(arith::MulIOp::create(b, l, args[0], args[1]));
          Value sum = isFloat
                          ? Value(arith::AddFOp::create(b, l, args[2], product))
                          : Value(arith::AddIOp::create(b, l, args[2], product));
          linalg::YieldOp::create(b, l, sum);
        });
    tian::copyFusionAttributes(op, generic);
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

enum class ReduceKind { Sum, Prod, Max, Min };

/// `isUnsigned`: the integers are unsigned numbers (tian::readsUnsigned).
TypedAttr reductionIdentity(OpBuilder &b, Type elem, ReduceKind kind, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(elem)) {
    const llvm::fltSemantics &sem = floatType.getFloatSemantics();
    switch (kind) {
    case ReduceKind::Sum: return b.getFloatAttr(elem, APFloat::getZero(sem));
    case ReduceKind::Prod: return b.getFloatAttr(elem, APFloat::getOne(sem));
    case ReduceKind::Max:
      return b.getFloatAttr(elem, APFloat::getInf(sem, /*Negative=*/true));
    case ReduceKind::Min: return b.getFloatAttr(elem, APFloat::getInf(sem));
    }
  }
  unsigned width = elem.getIntOrFloatBitWidth();
  switch (kind) {
  case ReduceKind::Sum: return b.getIntegerAttr(elem, 0);
  case ReduceKind::Prod: return b.getIntegerAttr(elem, 1);
  case ReduceKind::Max:
    return b.getIntegerAttr(elem, isUnsigned ? APInt::getZero(width)
                                             : APInt::getSignedMinValue(width));
  case ReduceKind::Min:
    return b.getIntegerAttr(elem, isUnsigned ? APInt::getMaxValue(width)
                                             : APInt::getSignedMaxValue(width));
  }
  llvm_unreachable("unknown reduction");
}

/// Float sums and products may be reassociated: LLVM then keeps several
/// partial results in vector registers instead of one serial chain of
/// adds (the order numpy and PyTorch sum in is not sequential either).
Value combine(OpBuilder &b, Location loc, ReduceKind kind, bool isUnsigned, Value x,
              Value acc) {
  bool isFloat = isa<FloatType>(x.getType());
  auto reassoc = arith::FastMathFlags::reassoc;
  switch (kind) {
  case ReduceKind::Sum:
    return isFloat ? Value(arith::AddFOp::create(b, loc, x, acc, reassoc))
                   : Value(arith::AddIOp::create(b, loc, x, acc));
  case ReduceKind::Prod:
    return isFloat ? Value(arith::MulFOp::create(b, loc, x, acc, reassoc))
                   : Value(arith::MulIOp::create(b, loc, x, acc));
  case ReduceKind::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, x, acc);
    return isUnsigned ? Value(arith::MaxUIOp::create(b, loc, x, acc))
                      : Value(arith::MaxSIOp::create(b, loc, x, acc));
  case ReduceKind::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, x, acc);
    return isUnsigned ? Value(arith::MinUIOp::create(b, loc, x, acc))
                      : Value(arith::MinSIOp::create(b, loc, x, acc));
  }
  llvm_unreachable("unknown reduction");
}

template <typename OpTy, ReduceKind Kind>
struct LowerReduce : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto inputType = op.getInput().getType();
    Type elem = inputType.getElementType();
    if (op.getKeepdims() && op->hasAttr(kFusionRowsAttr)) {
      rewriter.replaceOp(op, keepdimsGeneric(rewriter, op));
      return success();
    }
    ArrayRef<int64_t> axes = op.getAxes();
    SmallVector<int64_t> reducedShape;
    for (int64_t i = 0; i < inputType.getRank(); ++i)
      if (!llvm::is_contained(axes, i))
        reducedShape.push_back(inputType.getDimSize(i));
    auto reducedType = RankedTensorType::get(reducedShape, elem);
    bool isUnsigned = readsUnsigned(op);
    Value init = filledTensor(rewriter, loc, reducedType,
                              reductionIdentity(rewriter, elem, Kind, isUnsigned));
    auto reduce = linalg::ReduceOp::create(
        rewriter, loc, ValueRange{op.getInput()}, ValueRange{init}, axes,
        [&](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, combine(b, l, Kind, isUnsigned, args[0], args[1]));
        });
    tian::copyFusionAttributes(op, reduce);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reduce.getResult(0),
                                     op.getType()));
    return success();
  }

  /// A reduction of a row group (tian-fuse-rows) produces its keepdims
  /// shape directly: the reduced dims stay in the iteration space as unit
  /// parallel dims, next to the reduction dims, so no reshape separates it
  /// from its consumers and the tiler can fuse it into their row loop.
  static Value keepdimsGeneric(PatternRewriter &rewriter, OpTy op) {
    Location loc = op.getLoc();
    auto inputType = op.getInput().getType();
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> axes = op.getAxes();
    int64_t rank = inputType.getRank();
    MLIRContext *context = rewriter.getContext();
    SmallVector<AffineExpr> inputDims;
    for (int64_t i = 0; i < rank; ++i) {
      auto *axis = llvm::find(axes, i);
      inputDims.push_back(axis == axes.end()
                              ? getAffineDimExpr(i, context)
                              : getAffineDimExpr(rank + (axis - axes.begin()), context));
    }
    int64_t loops = rank + static_cast<int64_t>(axes.size());
    SmallVector<AffineMap> maps{AffineMap::get(loops, 0, inputDims, context),
                                AffineMap::getMultiDimIdentityMap(loops, context)
                                    .getMajorSubMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.append(axes.size(), utils::IteratorType::reduction);
    bool isUnsigned = readsUnsigned(op);
    Value init = filledTensor(
        rewriter, loc, resultType,
        reductionIdentity(rewriter, resultType.getElementType(), Kind, isUnsigned));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{op.getInput()}, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, combine(b, l, Kind, isUnsigned, args[0], args[1]));
        });
    tian::copyFusionAttributes(op, generic);
    return generic.getResult(0);
  }
};

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

struct LowerReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), op.getInput(),
                                     op.getType()));
    return success();
  }
};

struct LowerTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), op.getInput(),
        emptyTensor(rewriter, op.getLoc(), op.getType()), op.getPerm());
    rewriter.replaceOp(op, transpose.getResults());
    return success();
  }
};

struct LowerBroadcastTo : OpRewritePattern<BroadcastToOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BroadcastToOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    auto type = op.getType();
    MLIRContext *ctx = op.getContext();
    SmallVector<AffineMap> maps = {
        broadcastMap(ctx, op.getInput().getType().getShape(), type.getShape()),
        AffineMap::getMultiDimIdentityMap(type.getRank(), ctx)};
    auto generic = linalg::GenericOp::create(
        rewriter, op.getLoc(), TypeRange{type}, ValueRange{op.getInput()},
        ValueRange{emptyTensor(rewriter, op.getLoc(), type)}, maps,
        SmallVector<utils::IteratorType>(type.getRank(),
                                         utils::IteratorType::parallel),
        [](OpBuilder &b, Location loc, ValueRange args) {
          linalg::YieldOp::create(b, loc, args[0]);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) -> OpFoldResult {
    return b.getIndexAttr(v);
  });
}

struct LowerSlice : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), op.getInput(), indexAttrs(rewriter, op.getStarts()),
        indexAttrs(rewriter, op.getType().getShape()),
        indexAttrs(rewriter, op.getSteps()));
    return success();
  }
};

struct LowerPad : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    Type elem = op.getType().getElementType();
    double value = op.getValue().convertToDouble();
    TypedAttr padAttr =
        isa<FloatType>(elem)
            ? TypedAttr(rewriter.getFloatAttr(elem, value))
            : TypedAttr(rewriter.getIntegerAttr(elem, static_cast<int64_t>(value)));
    Value padValue = arith::ConstantOp::create(rewriter, loc, padAttr);
    rewriter.replaceOpWithNewOp<tensor::PadOp>(
        op, op.getType(), op.getInput(), indexAttrs(rewriter, op.getLow()),
        indexAttrs(rewriter, op.getHigh()), padValue);
    return success();
  }
};

struct LowerConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t axis = static_cast<int64_t>(op.getAxis()), rank = type.getRank();
    Value result = emptyTensor(rewriter, loc, type);
    int64_t offset = 0;
    for (Value input : op.getInputs()) {
      auto inputType = cast<RankedTensorType>(input.getType());
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[axis] = offset;
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, indexAttrs(rewriter, offsets),
          indexAttrs(rewriter, inputType.getShape()),
          indexAttrs(rewriter, strides));
      offset += inputType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW)
//===----------------------------------------------------------------------===//

Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, TypedAttr value) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> lows = {0, 0, low[0], low[1]};
  SmallVector<int64_t> highs = {0, 0, high[0], high[1]};
  SmallVector<int64_t> shape(type.getShape());
  for (int i = 0; i < 2; ++i)
    shape[2 + i] += low[i] + high[i];
  Value padValue = arith::ConstantOp::create(b, loc, value);
  return tensor::PadOp::create(b, loc, type.clone(shape), input,
                               indexAttrs(b, lows), indexAttrs(b, highs),
                               padValue);
}

DenseIntElementsAttr i64Pair(OpBuilder &b, ArrayRef<int64_t> values) {
  return b.getI64TensorAttr(values);
}

struct LowerConv2d : OpRewritePattern<Conv2dOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2dOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto resultType = op.getType();
    Type elem = resultType.getElementType();
    // Convolutions of empty tensors fold to constants in canonicalize
    // (TianEmptyTensors.cpp); padding an empty tensor is no valid slice.
    auto empty = [](Value value) {
      return llvm::is_contained(cast<RankedTensorType>(value.getType()).getShape(), 0);
    };
    if (empty(op.getInput()) || empty(op.getWeight()))
      return rewriter.notifyMatchFailure(op, "empty operands fold away in canonicalize");
    ArrayRef<int64_t> padding = op.getPadding();
    Value input = padSpatial(rewriter, loc, op.getInput(), padding.take_front(2),
                             padding.drop_front(2),
                             cast<TypedAttr>(rewriter.getZeroAttr(elem)));
    auto zero = cast<TypedAttr>(rewriter.getZeroAttr(elem));
    int64_t groups = static_cast<int64_t>(op.getGroups());
    if (groups == 1) {
      auto conv = linalg::Conv2DNchwFchwOp::create(
          rewriter, loc, TypeRange{resultType}, ValueRange{input, op.getWeight()},
          ValueRange{filledTensor(rewriter, loc, resultType, zero)},
          i64Pair(rewriter, op.getStrides()), i64Pair(rewriter, op.getDilations()));
      tian::copyFusionAttributes(op, conv);
      rewriter.replaceOp(op, conv.getResults());
      return success();
    }
    // Grouped: split channels into [G, C/G] and run the grouped named op.
    auto inputType = cast<RankedTensorType>(input.getType());
    auto weightType = op.getWeight().getType();
    ArrayRef<int64_t> x = inputType.getShape(), w = weightType.getShape(),
                      y = resultType.getShape();
    auto groupedInput = tensor::ExpandShapeOp::create(
        rewriter, loc, inputType.clone({x[0], groups, x[1] / groups, x[2], x[3]}),
        input, SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    auto groupedWeight = tensor::ExpandShapeOp::create(
        rewriter, loc, weightType.clone({groups, w[0] / groups, w[1], w[2], w[3]}),
        op.getWeight(), SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}, {4}});
    auto groupedResultType =
        resultType.clone({y[0], groups, y[1] / groups, y[2], y[3]});
    auto conv = linalg::Conv2DNgchwGfchwOp::create(
        rewriter, loc, TypeRange{groupedResultType},
        ValueRange{groupedInput, groupedWeight},
        ValueRange{filledTensor(rewriter, loc, groupedResultType, zero)},
        i64Pair(rewriter, op.getStrides()), i64Pair(rewriter, op.getDilations()));
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, resultType, conv.getResult(0),
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    return success();
  }
};

/// Extra bottom/right padding that ceil_mode windows reach beyond the
/// declared padding; those positions never count as input.
SmallVector<int64_t> ceilOverhang(ArrayRef<int64_t> inputShape,
                                  ArrayRef<int64_t> outputShape,
                                  ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilations,
                                  ArrayRef<int64_t> padding) {
  SmallVector<int64_t> extra;
  for (int i = 0; i < 2; ++i) {
    int64_t needed = (outputShape[2 + i] - 1) * strides[i] +
                     dilations[i] * (kernel[i] - 1) + 1;
    int64_t available = inputShape[2 + i] + padding[i] + padding[2 + i];
    extra.push_back(std::max<int64_t>(0, needed - available));
  }
  return extra;
}

struct LowerMaxPool2d : OpRewritePattern<MaxPool2dOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPool2dOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto resultType = op.getType();
    Type elem = resultType.getElementType();
    ArrayRef<int64_t> padding = op.getPadding();
    SmallVector<int64_t> extra = ceilOverhang(
        op.getInput().getType().getShape(), resultType.getShape(),
        op.getKernelSize(), op.getStrides(), op.getDilations(), padding);
    // Padding and the initial maximum: the smallest value of the type.
    bool isUnsigned = readsUnsigned(op);
    TypedAttr lowest = reductionIdentity(rewriter, elem, ReduceKind::Max, isUnsigned);
    Value input = padSpatial(rewriter, loc, op.getInput(), padding.take_front(2),
                             {padding[2] + extra[0], padding[3] + extra[1]},
                             lowest);
    Value window = tensor::EmptyOp::create(rewriter, loc, op.getKernelSize(), elem);
    auto pool = linalg::PoolingNchwMaxOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{input, window},
        ValueRange{filledTensor(rewriter, loc, resultType, lowest)},
        i64Pair(rewriter, op.getStrides()), i64Pair(rewriter, op.getDilations()));
    if (!isUnsigned) {
      rewriter.replaceOp(op, pool.getResults());
      return success();
    }
    // linalg has no unsigned NCHW max pool: the generic form of the signed
    // one, its maximum made unsigned.
    FailureOr<linalg::GenericOp> generic = linalg::generalizeNamedOp(rewriter, pool);
    if (failed(generic))
      return rewriter.notifyMatchFailure(op, "cannot generalize the max pool");
    generic->getBody()->walk([&](arith::MaxSIOp max) {
      rewriter.setInsertionPoint(max);
      rewriter.replaceOpWithNewOp<arith::MaxUIOp>(max, max.getLhs(), max.getRhs());
    });
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

struct LowerAvgPool2d : OpRewritePattern<AvgPool2dOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AvgPool2dOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    auto resultType = op.getType();
    auto inputType = op.getInput().getType();
    Type elem = resultType.getElementType();
    ArrayRef<int64_t> padding = op.getPadding(), kernel = op.getKernelSize();
    static const int64_t noDilation[] = {1, 1};
    SmallVector<int64_t> extra =
        ceilOverhang(inputType.getShape(), resultType.getShape(), kernel,
                     op.getStrides(), noDilation, padding);
    auto zero = cast<TypedAttr>(rewriter.getZeroAttr(elem));
    SmallVector<int64_t> high = {padding[2] + extra[0], padding[3] + extra[1]};
    auto sumWindows = [&](Value padded, RankedTensorType outType) {
      Value window = tensor::EmptyOp::create(rewriter, loc, kernel, elem);
      return linalg::PoolingNchwSumOp::create(
                 rewriter, loc, TypeRange{outType}, ValueRange{padded, window},
                 ValueRange{filledTensor(rewriter, loc, outType, zero)},
                 i64Pair(rewriter, op.getStrides()), i64Pair(rewriter, noDilation))
          .getResult(0);
    };
    Value sum = sumWindows(padSpatial(rewriter, loc, op.getInput(),
                                      padding.take_front(2), high, zero),
                           resultType);
    // The divisor per output position: the same windows summed over ones,
    // where declared padding counts as 1 only with count_include_pad and
    // the ceil_mode overhang never counts.
    auto onesType = RankedTensorType::get({1, 1, inputType.getDimSize(2),
                                           inputType.getDimSize(3)}, elem);
    Value ones = filledTensor(rewriter, loc, onesType,
                              cast<TypedAttr>(rewriter.getFloatAttr(elem, 1.0)));
    auto padCount = op.getCountIncludePad() ? rewriter.getFloatAttr(elem, 1.0)
                                            : rewriter.getFloatAttr(elem, 0.0);
    Value countInput = padSpatial(rewriter, loc, ones, padding.take_front(2),
                                  padding.drop_front(2), padCount);
    countInput = padSpatial(rewriter, loc, countInput, {0, 0}, extra, zero);
    Value counts = sumWindows(
        countInput, RankedTensorType::get({1, 1, resultType.getDimSize(2),
                                           resultType.getDimSize(3)}, elem));
    rewriter.replaceOpWithNewOp<DivOp>(op, sum, counts);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

struct LowerGather : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = op.getType();
    auto inputType = op.getInput().getType();
    auto indicesType = op.getIndices().getType();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    int64_t rank = resultType.getRank(), indexRank = indicesType.getRank();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t i = 0; i < indexRank; ++i)
      indexExprs.push_back(getAffineDimExpr(axis + i, ctx));
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, indexExprs, ctx),
        AffineMap::getMultiDimIdentityMap(rank, ctx)};
    Value input = op.getInput();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{op.getIndices()},
        ValueRange{emptyTensor(rewriter, loc, resultType)}, maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          // A negative index counts from the end (Python's rule); the result
          // is then clamped into [0, size), so no index reads outside.
          Value index = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          int64_t size = inputType.getDimSize(axis);
          Value sizeValue = arith::ConstantIndexOp::create(b, l, size);
          Value last = arith::ConstantIndexOp::create(b, l, size - 1);
          Value negative = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                                 index, zero);
          Value wrapped = arith::AddIOp::create(b, l, index, sizeValue);
          index = arith::SelectOp::create(b, l, negative, wrapped, index);
          index = arith::MaxSIOp::create(b, l, index, zero);
          index = arith::MinSIOp::create(b, l, index, last);
          SmallVector<Value> coords;
          for (int64_t d = 0; d < axis; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          coords.push_back(index);
          for (int64_t d = axis + indexRank; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          Value element = tensor::ExtractOp::create(b, l, input, coords);
          linalg::YieldOp::create(b, l, element);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct LowerArgmax : OpRewritePattern<ArgmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ArgmaxOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStatic(op, rewriter)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto inputType = op.getInput().getType();
    Type elem = inputType.getElementType();
    int64_t axis = static_cast<int64_t>(op.getAxis()), rank = inputType.getRank();
    SmallVector<int64_t> reducedShape;
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis) {
        reducedShape.push_back(inputType.getDimSize(d));
        outExprs.push_back(getAffineDimExpr(d, ctx));
      }
    auto valuesType = RankedTensorType::get(reducedShape, elem);
    auto indicesType = RankedTensorType::get(reducedShape, rewriter.getI64Type());
    bool isUnsigned = readsUnsigned(op);
    Value values = filledTensor(rewriter, loc, valuesType,
                                reductionIdentity(rewriter, elem, ReduceKind::Max, isUnsigned));
    Value indices = filledTensor(rewriter, loc, indicesType,
                                 rewriter.getI64IntegerAttr(0));
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    bool isFloat = isa<FloatType>(elem);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valuesType, indicesType},
        ValueRange{op.getInput()}, ValueRange{values, indices},
        SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx),
                               outMap, outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          // Strictly greater: the first maximum wins, as in numpy. NaN is
          // greater than every number, so the first NaN wins.
          Value greater;
          if (isFloat) {
            greater = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                            args[0], args[1]);
            Value isNan = arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNO,
                                                args[0], args[0]);
            Value bestIsNumber = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::ORD, args[1], args[1]);
            Value firstNan = arith::AndIOp::create(b, l, isNan, bestIsNumber);
            greater = arith::OrIOp::create(b, l, greater, firstNan);
          } else {
            greater = arith::CmpIOp::create(
                b, l, isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt,
                args[0], args[1]);
          }
          Value position = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, greater, args[0], args[1]),
                         arith::SelectOp::create(b, l, greater, position, args[2])});
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, generic.getResult(1),
                                     op.getType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct ConvertTianToLinalgPass
    : public tian::impl::ConvertTianToLinalgBase<ConvertTianToLinalgPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateTianToLinalgPatterns(patterns);
    GreedyRewriteConfig config;
    // Lowering patterns only: tian folders already ran in canonicalize.
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config))) {
      getOperation()->emitError("convert-tian-to-linalg did not converge");
      return signalPassFailure();
    }
    // Whatever is left has no lowering: say which op, where, and why.
    bool leftOver = false;
    getOperation()->walk([&](Operation *op) {
      if (!isa<TianDialect>(op->getDialect()))
        return;
      leftOver = true;
      InFlightDiagnostic diag = op->emitOpError();
      if (isa<DecomposableOpInterface>(op))
        diag << "is a composite op: run tian-decompose before lowering";
      else if (llvm::any_of(op->getOperandTypes(), [](Type t) {
                 return !cast<ShapedType>(t).hasStaticShape();
               }))
        diag << "has dynamic shapes, which are not lowered yet";
      else
        diag << "has no lowering to linalg yet";
    });
    if (leftOver)
      signalPassFailure();
  }
};

} // namespace

void mlir::tian::populateTianToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<LowerElementwise>(ctx);
  patterns.add<LowerConstant, LowerIota, LowerMatmul, LowerReshape,
               LowerTranspose, LowerBroadcastTo, LowerSlice, LowerPad,
               LowerConcat, LowerConv2d, LowerMaxPool2d, LowerAvgPool2d,
               LowerGather, LowerArgmax, LowerRandomUniform>(ctx);
  patterns.add<LowerReduce<ReduceSumOp, ReduceKind::Sum>,
               LowerReduce<ReduceProdOp, ReduceKind::Prod>,
               LowerReduce<ReduceMaxOp, ReduceKind::Max>,
               LowerReduce<ReduceMinOp, ReduceKind::Min>>(ctx);
}
