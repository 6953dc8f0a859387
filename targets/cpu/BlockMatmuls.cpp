//===- BlockMatmuls.cpp - matmuls as packed, register-blocked loop nests --===//
//
// A matmul lowered to loops reads B once per row of A and keeps nothing in
// registers: 7-9x slower than a BLAS. This pass rewrites each f32
// contraction (a linalg.generic of mul and add with one reduction dim, as
// tian-lower-to-linalg makes for tian.matmul) into the loop nest of
// GotoBLAS/BLIS, expressed in scf, memref and vector ops:
//
//   Bp = pack(B)                      one panel of `columns` per task
//   forall task (outer dims, block of rows, block of panels):
//     for each block of the reduction (KC deep):
//       Ap = pack(A block)            rows of the block, `rows` at a time
//       for each panel of the block:  its KC x columns floats stay in L1
//         for each row tile:          a rows x columns tile in registers
//           acc = 0 or C tile; for k: acc += broadcast(Ap) * Bp; C tile = acc
//
// The tile shape comes from the target's vector width and register count
// (MicroKernelShape.h). Packing pads A's rows, B's columns and the
// reduction with zeros, so every loop has a static trip count; only the
// stores of edge tiles are guarded (rows past M) or masked (columns past
// N). A copy that only feeds the contraction (a transpose, im2col's column
// matrix) is read through instead of made, and a zero fill of C before it
// becomes the first block's zero accumulators.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/MicroKernelShape.h"
#include "targets/cpu/Passes.h"

#include "passes/BufferUses.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::tian {
#define GEN_PASS_DEF_BLOCKMATMULS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;
using mlir::tian::MicroKernelShape;
using mlir::tian::reductionBlock;

namespace {

/// The loop dims of a contraction C[outer.., m, n] += A[.., m, k] * B[.., k, n]
/// (any order of each operand's dims), with its static loop sizes.
struct Contraction {
  linalg::GenericOp op;
  Value a, b, c;
  AffineMap mapA, mapB, mapC;
  unsigned m = 0, n = 0, k = 0;
  SmallVector<unsigned> outer; // parallel dims other than m and n (batch)
  SmallVector<int64_t> sizes;  // of every loop dim
};

bool usesDim(AffineMap map, unsigned dim) {
  return map.isFunctionOfDim(dim);
}

bool isF32Buffer(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getElementType().isF32() && type.hasStaticShape();
}

bool lastDimContiguous(Value value) {
  auto type = cast<MemRefType>(value.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) && !strides.empty() &&
         strides.back() == 1;
}

/// The body `out + a * b` (either order of each operation). Not
/// linalg::isaContractionOpInterface: it rejects the zeros of broadcast
/// batch dims in the maps.
bool isMultiplyAddBody(Block &body) {
  if (body.getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(&body.front());
  auto add = dyn_cast_or_null<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!mul || !add || yield.getValues().size() != 1 || yield.getValues()[0] != add.getResult())
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1), out = body.getArgument(2);
  bool product = (mul.getLhs() == a && mul.getRhs() == b) || (mul.getLhs() == b && mul.getRhs() == a);
  bool sum = (add.getLhs() == out && add.getRhs() == mul.getResult()) ||
             (add.getRhs() == out && add.getLhs() == mul.getResult());
  return product && sum;
}

std::optional<Contraction> matchContraction(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !isMultiplyAddBody(op.getRegion().front()))
    return std::nullopt;
  Contraction c;
  c.op = op;
  c.a = op.getDpsInputOperand(0)->get();
  c.b = op.getDpsInputOperand(1)->get();
  c.c = op.getDpsInitOperand(0)->get();
  if (!isF32Buffer(c.a) || !isF32Buffer(c.b) || !isF32Buffer(c.c) || !lastDimContiguous(c.c) ||
      c.c == c.a || c.c == c.b)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // Zeros: a batch dim of size 1 broadcast against the other operand's.
  if (!llvm::all_of(maps, [](AffineMap map) { return map.isProjectedPermutation(true); }) ||
      !maps[2].isProjectedPermutation())
    return std::nullopt;
  c.mapA = maps[0];
  c.mapB = maps[1];
  c.mapC = maps[2];
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto reductions = llvm::count(iterators, utils::IteratorType::reduction);
  if (reductions != 1 || c.mapC.getNumResults() < 2)
    return std::nullopt;
  c.k = std::distance(iterators.begin(), llvm::find(iterators, utils::IteratorType::reduction));
  // n: C's contiguous dim, read by B only; m: another dim of C read by A only.
  // The product commutes: the operand that reads n is B, whichever it is.
  c.n = cast<AffineDimExpr>(c.mapC.getResults().back()).getPosition();
  if (usesDim(c.mapA, c.n) && !usesDim(c.mapB, c.n)) {
    std::swap(c.a, c.b);
    std::swap(c.mapA, c.mapB);
  }
  if (!usesDim(c.mapB, c.n) || usesDim(c.mapA, c.n) || !usesDim(c.mapA, c.k) ||
      !usesDim(c.mapB, c.k))
    return std::nullopt;
  bool foundM = false;
  for (AffineExpr expr : llvm::reverse(c.mapC.getResults().drop_back())) {
    unsigned dim = cast<AffineDimExpr>(expr).getPosition();
    if (!foundM && usesDim(c.mapA, dim) && !usesDim(c.mapB, dim)) {
      c.m = dim;
      foundM = true;
    }
  }
  if (!foundM)
    return std::nullopt;
  for (unsigned dim = 0; dim < iterators.size(); ++dim)
    if (dim != c.m && dim != c.n && dim != c.k) {
      if (!usesDim(c.mapC, dim))
        return std::nullopt;
      c.outer.push_back(dim);
    }
  c.sizes = op.getStaticLoopRanges();
  if (llvm::any_of(c.sizes, ShapedType::isDynamic))
    return std::nullopt;
  return c;
}

/// The buffer a view (chain) looks into.
Value rootOf(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

/// Whether an op between `from` and `to` may write memory of `root`.
bool writtenBetween(Operation *from, Operation *to, Value root) {
  for (Operation *op = from->getNextNode(); op && op != to; op = op->getNextNode()) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effects) {
      if (!isPure(op) && op->getNumRegions() == 0)
        return true; // calls, unknown ops
      if (op->getNumRegions() != 0)
        return true;
      continue;
    }
    SmallVector<MemoryEffects::EffectInstance> instances;
    effects.getEffects(instances);
    for (auto &instance : instances)
      if (isa<MemoryEffects::Write>(instance.getEffect()) &&
          (!instance.getValue() || rootOf(instance.getValue()) == root))
        return true;
  }
  return false;
}

/// The map from a copy's output indices to its input indices, when `op`
/// copies one buffer into another: a `linalg.transpose`, or a
/// `linalg.generic` that yields its one input (im2col's column matrix).
std::optional<std::pair<Value, AffineMap>> copiedFrom(Operation *op, Value output) {
  if (auto transpose = dyn_cast<linalg::TransposeOp>(op)) {
    if (transpose.getInit() != output)
      return std::nullopt;
    // dim i of the copy is dim permutation[i] of the input.
    ArrayRef<int64_t> permutation = transpose.getPermutation();
    SmallVector<AffineExpr> exprs(permutation.size());
    for (auto [i, p] : llvm::enumerate(permutation))
      exprs[p] = getAffineDimExpr(i, op->getContext());
    return std::make_pair(transpose.getInput(),
                          AffineMap::get(permutation.size(), 0, exprs, op->getContext()));
  }
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getDpsInitOperand(0)->get() != output ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !generic.getIndexingMapsArray()[1].isIdentity())
    return std::nullopt;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 || yield.getValues()[0] != body.getArgument(0))
    return std::nullopt;
  return std::make_pair(generic.getDpsInputOperand(0)->get(), generic.getIndexingMapsArray()[0]);
}

/// Reads `operand` of `consumer` through the copy that wrote it (a
/// transpose, im2col) when nothing else reads the copy: the copy is
/// dropped and `map` composed with the copy's.
Value readThroughCopy(Value operand, AffineMap &map, Operation *consumer) {
  Operation *writer = nullptr, *nextUse = nullptr;
  SmallVector<Operation *> deallocs;
  for (Operation *user : operand.getUsers()) {
    if (user == consumer)
      continue;
    if (isa<memref::DeallocOp>(user)) {
      deallocs.push_back(user);
      continue;
    }
    if (user->getBlock() == consumer->getBlock() && consumer->isBeforeInBlock(user)) {
      if (!nextUse || user->isBeforeInBlock(nextUse))
        nextUse = user;
      continue;
    }
    if (writer)
      return operand;
    writer = user;
  }
  if (!writer || writer->getBlock() != consumer->getBlock() || !writer->isBeforeInBlock(consumer))
    return operand;
  // Bufferization may have given the copy a buffer that a later result
  // reuses (a training step's transposed weight lands in the buffer of the
  // updated weight): the copy is still dead if that next use writes every
  // element before reading any.
  if (nextUse && !tian::overwritesWhole(nextUse, operand))
    return operand;
  std::optional<std::pair<Value, AffineMap>> source = copiedFrom(writer, operand);
  if (!source || !isF32Buffer(source->first) ||
      writtenBetween(writer, consumer, rootOf(source->first)))
    return operand;
  map = source->second.compose(map);
  writer->erase();
  // The copy's own buffer is gone with it (the consumer is rewritten next),
  // unless later ops use it.
  auto alloc = operand.getDefiningOp<memref::AllocOp>();
  if (alloc && !nextUse) {
    for (Operation *dealloc : deallocs)
      dealloc->erase();
    consumer->replaceUsesOfWith(operand, source->first);
    alloc->erase();
  }
  return source->first;
}

/// A zero fill of `buffer` right before `consumer` (nothing in between
/// touching it): erased, the consumer starts from zeros instead.
bool takeZeroFill(Value buffer, Operation *consumer) {
  for (Operation *op = consumer->getPrevNode(); op; op = op->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(op)) {
      if (fill.getOutputs()[0] != buffer)
        continue;
      if (!matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
        return false;
      if (writtenBetween(fill, consumer, rootOf(buffer)) ||
          llvm::any_of(buffer.getUsers(), [&](Operation *user) {
            return user != fill && user != consumer && user->getBlock() == consumer->getBlock() &&
                   fill->isBeforeInBlock(user) && user->isBeforeInBlock(consumer);
          }))
        return false;
      fill->erase();
      return true;
    }
    if (llvm::is_contained(op->getOperands(), buffer))
      return false;
  }
  return false;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The elements of an operand that is a whole constant global (a weight
/// captured as a constant), row-major, or none.
struct ConstantOperand {
  memref::GlobalOp global;
  SmallVector<float> storage; // for splats (other attributes are read in place)
  ArrayRef<float> values;
  SmallVector<int64_t> strides;
};

std::optional<ConstantOperand> constantOperand(Value value, SymbolTable &symbols) {
  auto get = value.getDefiningOp<memref::GetGlobalOp>();
  if (!get)
    return std::nullopt;
  auto global = symbols.lookup<memref::GlobalOp>(get.getName());
  if (!global || !global.getConstant() || !global.getInitialValue() ||
      !global.getType().getLayout().isIdentity())
    return std::nullopt;
  ConstantOperand constant;
  constant.global = global;
  Attribute initial = *global.getInitialValue();
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(initial)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    constant.values = *data;
  } else if (auto dense = dyn_cast<DenseElementsAttr>(initial)) {
    if (!dense.getElementType().isF32())
      return std::nullopt;
    if (dense.isSplat()) {
      constant.storage.assign(global.getType().getNumElements(), dense.getSplatValue<float>());
      constant.values = constant.storage;
    } else {
      // Read in place: the attribute stores the floats as they lie in
      // memory (an element-by-element copy of ResNet-18's weights took
      // a fifth of its MLIR time).
      ArrayRef<char> raw = dense.getRawData();
      constant.values = ArrayRef<float>(reinterpret_cast<const float *>(raw.data()),
                                        raw.size() / sizeof(float));
    }
  } else {
    return std::nullopt;
  }
  ArrayRef<int64_t> shape = global.getType().getShape();
  constant.strides.assign(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    constant.strides[i] = constant.strides[i + 1] * shape[i + 1];
  if (static_cast<int64_t>(constant.values.size()) != global.getType().getNumElements())
    return std::nullopt;
  return constant;
}

/// For each result of a projected permutation (zeros allowed), the loop
/// dim it reads, or -1 for a constant zero.
SmallVector<int64_t> readDims(AffineMap map) {
  SmallVector<int64_t> dims;
  for (AffineExpr expr : map.getResults())
    dims.push_back(isa<AffineDimExpr>(expr) ? cast<AffineDimExpr>(expr).getPosition() : -1);
  return dims;
}

/// The elements a flat view claims: the bare-pointer calling convention
/// wants static shapes, and the tile function indexes within its buffers.
constexpr int64_t kFlatSize = int64_t(1) << 40;

MemRefType flatType(MLIRContext *context) {
  return MemRefType::get({kFlatSize}, Float32Type::get(context));
}

/// The micro-kernel, one function per module and tile shape that every
/// blocked contraction calls (one copy of its code for LLVM to compile,
/// not one per matmul and edge case):
///
///   tile(Ap, aOffset, Bp, bOffset, C, cOffset, cRowStride, steps, rows, columns, loadC)
///
/// C[i * cRowStride + j] (+)= sum over k < steps of
/// Ap[aOffset + k * rows_of_tile + i] * Bp[bOffset + k * columns_of_tile + j]
/// for i < rows, j < columns; C is first read when loadC, else taken as zero.
/// Accumulators live in vector registers across the reduction loop; a tile
/// with fewer rows or columns than the shape (the edges of C) loads and
/// stores with masks, and skips the missing rows.
func::FuncOp getOrCreateTileFunction(ModuleOp module, SymbolTable &symbols,
                                     const MicroKernelShape &shape) {
  std::string name = "tian_matmul_tile_" + std::to_string(shape.rows) + "x" +
                     std::to_string(shape.columns());
  if (auto existing = symbols.lookup<func::FuncOp>(name))
    return existing;
  MLIRContext *context = module.getContext();
  OpBuilder b(context);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = b.getUnknownLoc();
  Type indexType = b.getIndexType();
  MemRefType flat = flatType(context);
  auto type = b.getFunctionType({flat, indexType, flat, indexType, flat, indexType, indexType,
                                 indexType, indexType, indexType, b.getI1Type()},
                                {});
  auto function = func::FuncOp::create(b, loc, name, type);
  function.setPrivate();
  // One copy for every call site: LLVM would otherwise inline it into each.
  function->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
  symbols.insert(function);
  Block *entry = function.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Value packedA = entry->getArgument(0), aOffset = entry->getArgument(1);
  Value packedB = entry->getArgument(2), bOffset = entry->getArgument(3);
  Value c = entry->getArgument(4), cOffset = entry->getArgument(5);
  Value rowStride = entry->getArgument(6), steps = entry->getArgument(7);
  Value rows = entry->getArgument(8), columns = entry->getArgument(9);
  Value loadC = entry->getArgument(10);

  const int64_t mr = shape.rows, nr = shape.columns(), lanes = shape.lanes;
  const int64_t count = mr * shape.vectors;
  auto vectorType = VectorType::get({lanes}, b.getF32Type());
  auto maskType = VectorType::get({lanes}, b.getI1Type());
  auto index = [&](int64_t value) -> Value { return arith::ConstantIndexOp::create(b, loc, value); };
  auto add = [&](Value x, Value y) -> Value { return arith::AddIOp::create(b, loc, x, y); };
  auto mul = [&](Value x, Value y) -> Value { return arith::MulIOp::create(b, loc, x, y); };
  Value zeros = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vectorType, 0.0f));
  auto elementOfC = [&](int64_t i, int64_t v) {
    return add(add(cOffset, mul(index(i), rowStride)), index(v * lanes));
  };
  // Builds `then` and `otherwise` as the two regions of an scf.if
  // yielding `types`.
  auto ifElse = [&](Value condition, TypeRange types, auto then, auto otherwise) {
    auto branch = scf::IfOp::create(b, loc, types, condition, true, true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(branch.thenBlock());
    scf::YieldOp::create(b, loc, then());
    b.setInsertionPointToStart(branch.elseBlock());
    scf::YieldOp::create(b, loc, otherwise());
    return branch;
  };
  Value full = arith::AndIOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rows, index(mr)),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, columns, index(nr)));
  auto masksOf = [&]() {
    SmallVector<Value> masks;
    for (int64_t v = 0; v < shape.vectors; ++v)
      masks.push_back(vector::CreateMaskOp::create(
          b, loc, maskType, ValueRange{arith::SubIOp::create(b, loc, columns, index(v * lanes))}));
    return masks;
  };
  auto rowExists = [&](int64_t i) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, index(i), rows);
  };

  SmallVector<Type> accumulatorTypes(count, vectorType);
  auto loadTile = [&]() -> SmallVector<Value> {
    auto whole = [&]() {
      SmallVector<Value> tile;
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t v = 0; v < shape.vectors; ++v)
          tile.push_back(vector::LoadOp::create(b, loc, vectorType, c, elementOfC(i, v)));
      return tile;
    };
    auto edge = [&]() {
      SmallVector<Value> masks = masksOf(), tile;
      for (int64_t i = 0; i < mr; ++i) {
        auto row = ifElse(rowExists(i), SmallVector<Type>(shape.vectors, vectorType), [&] {
          SmallVector<Value> loaded;
          for (int64_t v = 0; v < shape.vectors; ++v)
            loaded.push_back(vector::MaskedLoadOp::create(b, loc, vectorType, c,
                                                          ValueRange{elementOfC(i, v)},
                                                          masks[v], zeros));
          return loaded;
        }, [&] { return SmallVector<Value>(shape.vectors, zeros); });
        tile.append(row.getResults().begin(), row.getResults().end());
      }
      return tile;
    };
    return SmallVector<Value>(ifElse(full, accumulatorTypes, whole, edge).getResults());
  };
  auto initial = ifElse(loadC, accumulatorTypes, loadTile,
                        [&] { return SmallVector<Value>(count, zeros); });

  auto contract = arith::FastMathFlagsAttr::get(context, arith::FastMathFlags::contract);
  auto steps_ = scf::ForOp::create(
      b, loc, index(0), steps, index(1), initial.getResults(),
      [&](OpBuilder &inner, Location l, Value k, ValueRange acc) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(inner.getInsertionBlock(), inner.getInsertionPoint());
        Value columnsAt = add(bOffset, mul(k, index(nr)));
        SmallVector<Value> columnVectors;
        for (int64_t v = 0; v < shape.vectors; ++v)
          columnVectors.push_back(
              vector::LoadOp::create(b, l, vectorType, packedB, add(columnsAt, index(v * lanes))));
        Value rowsAt = add(aOffset, mul(k, index(mr)));
        SmallVector<Value> next(acc.begin(), acc.end());
        for (int64_t i = 0; i < mr; ++i) {
          Value element = memref::LoadOp::create(b, l, packedA, add(rowsAt, index(i)));
          Value broadcast = vector::BroadcastOp::create(b, l, vectorType, element);
          for (int64_t v = 0; v < shape.vectors; ++v) {
            int64_t slot = i * shape.vectors + v;
            Value product = arith::MulFOp::create(b, l, broadcast, columnVectors[v], contract);
            next[slot] = arith::AddFOp::create(b, l, next[slot], product, contract);
          }
        }
        scf::YieldOp::create(b, l, next);
      });
  ValueRange results = steps_.getResults();
  ifElse(full, TypeRange{}, [&] {
    for (int64_t i = 0; i < mr; ++i)
      for (int64_t v = 0; v < shape.vectors; ++v)
        vector::StoreOp::create(b, loc, results[i * shape.vectors + v], c, elementOfC(i, v));
    return SmallVector<Value>{};
  }, [&] {
    SmallVector<Value> masks = masksOf();
    for (int64_t i = 0; i < mr; ++i) {
      auto row = scf::IfOp::create(b, loc, TypeRange{}, rowExists(i), false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(row.thenBlock());
      for (int64_t v = 0; v < shape.vectors; ++v)
        vector::MaskedStoreOp::create(b, loc, c, ValueRange{elementOfC(i, v)}, masks[v],
                                      results[i * shape.vectors + v]);
    }
    return SmallVector<Value>{};
  });
  func::ReturnOp::create(b, loc);
  return function;
}

/// Builds the blocked loop nest of one contraction.
class Emitter {
public:
  Emitter(Contraction &c, MicroKernelShape shape, OpBuilder &b, SymbolTable &symbols)
      : c(c), shape(shape), b(b), symbols(symbols), loc(c.op.getLoc()), f32(b.getF32Type()) {
    M = c.sizes[c.m];
    N = c.sizes[c.n];
    K = c.sizes[c.k];
    nr = shape.columns();
    mr = shape.rows;
    panels = ceilDiv(N, nr);
    kBlocks = ceilDiv(K, reductionBlock(shape));
    KC = ceilDiv(K, kBlocks);
    Kp = KC * kBlocks;
    for (unsigned dim : c.outer) {
      outerTotal *= c.sizes[dim];
      if (usesDim(c.mapB, dim)) {
        outerOfB.push_back(dim);
        outerBTotal *= c.sizes[dim];
      }
    }
    chooseTasks();
  }

  /// Constant operands (weights captured as constants) are packed here, at
  /// compile time, into globals of the packed layout: the kernel then only
  /// packs what changes from call to call. Returns the globals whose data
  /// was packed, for the caller to drop once nothing reads them.
  SmallVector<memref::GlobalOp> emit(bool zeroInit) {
    SmallVector<memref::GlobalOp> packedGlobals;
    auto packedType = MemRefType::get({outerBTotal, panels, Kp, nr}, f32);
    Value packed;
    if (std::optional<ConstantOperand> constant = constantOperand(c.b, symbols)) {
      packed = packedConstant(packedType, packBAtCompileTime(*constant), constant->global);
      packedGlobals.push_back(constant->global);
    } else {
      packed = memref::AllocOp::create(b, loc, packedType, b.getI64IntegerAttr(64));
      packB(packed);
      // Freed with the function's other temporaries, at its end (the memory
      // plan, if any, places it by its uses).
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(c.op->getBlock()->getTerminator());
      memref::DeallocOp::create(b, loc, packed);
    }
    // A's packing depends on the task's rows only when no outer dim reads A.
    Value constantA;
    bool aHasOuterDims = llvm::any_of(c.outer, [&](unsigned dim) { return usesDim(c.mapA, dim); });
    if (!aHasOuterDims) {
      if (std::optional<ConstantOperand> constant = constantOperand(c.a, symbols)) {
        auto type = MemRefType::get({mBlocks * tilesPerBlock, Kp, mr}, f32);
        constantA = packedConstant(type, packAAtCompileTime(*constant), constant->global);
        packedGlobals.push_back(constant->global);
      }
    }
    compute(packed, constantA, zeroInit);
    return packedGlobals;
  }

private:
  Contraction &c;
  MicroKernelShape shape;
  OpBuilder &b;
  SymbolTable &symbols;
  Location loc;
  Type f32;
  int64_t M, N, K, nr, mr, panels, kBlocks, KC, Kp;
  int64_t outerTotal = 1, outerBTotal = 1;
  SmallVector<unsigned> outerOfB;
  int64_t tilesPerBlock = 1, mBlocks = 1, panelsPerBlock = 1, nBlocks = 1;

  Value index(int64_t value) { return arith::ConstantIndexOp::create(b, loc, value); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, loc, x, index(y)); }
  Value lessThan(Value x, int64_t bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, index(bound));
  }

  /// Row tiles per block bounded by L2 (the packed A block, KC deep, in half
  /// of a 512 KiB L2), then blocks split until there are enough tasks to
  /// keep every worker busy to the end (16: within 1/8 for two workers).
  void chooseTasks() {
    int64_t rowTiles = ceilDiv(M, mr);
    int64_t maxTiles = std::max<int64_t>(1, (256 * 1024) / (4 * KC * mr));
    mBlocks = ceilDiv(rowTiles, maxTiles);
    nBlocks = 1;
    constexpr int64_t wanted = 16;
    while (outerTotal * mBlocks * nBlocks < wanted) {
      int64_t panelsEach = ceilDiv(panels, nBlocks);
      int64_t tilesEach = ceilDiv(rowTiles, mBlocks);
      if (panelsEach >= 8 && panelsEach >= tilesEach)
        ++nBlocks;
      else if (tilesEach >= 2)
        ++mBlocks;
      else if (panelsEach >= 2)
        ++nBlocks;
      else
        break;
    }
    tilesPerBlock = ceilDiv(rowTiles, mBlocks);
    mBlocks = ceilDiv(rowTiles, tilesPerBlock);
    panelsPerBlock = ceilDiv(panels, nBlocks);
    nBlocks = ceilDiv(panels, panelsPerBlock);
  }

  /// index = sum(ivs[i] * stride[i]) split back into one value per dim.
  SmallVector<Value> delinearize(Value linear, ArrayRef<int64_t> sizes) {
    SmallVector<Value> parts(sizes.size());
    for (int i = static_cast<int>(sizes.size()) - 1; i >= 0; --i) {
      if (i == 0) {
        parts[i] = linear;
        break;
      }
      parts[i] = arith::RemUIOp::create(b, loc, linear, index(sizes[i]));
      linear = arith::DivUIOp::create(b, loc, linear, index(sizes[i]));
    }
    return parts;
  }

  SmallVector<Value> indicesOf(AffineMap map, ArrayRef<Value> dims) {
    SmallVector<Value> indices;
    for (AffineExpr expr : map.getResults()) {
      if (auto dim = dyn_cast<AffineDimExpr>(expr))
        indices.push_back(dims[dim.getPosition()]);
      else // read through im2col: the input position of a column element
        indices.push_back(affine::AffineApplyOp::create(
            b, loc, AffineMap::get(map.getNumDims(), 0, expr), dims));
    }
    return indices;
  }

  /// Whether the last index of `map` is loop dim `dim` alone: the loop
  /// along it reads contiguous memory.
  static bool contiguousAlong(AffineMap map, unsigned dim) {
    auto last = dyn_cast<AffineDimExpr>(map.getResults().back());
    return last && last.getPosition() == dim;
  }

  /// `memory[map(dims)]`, or 0 where `inBounds` is false.
  Value loadOrZero(Value memory, AffineMap map, ArrayRef<Value> dims, Value inBounds) {
    if (!inBounds)
      return memref::LoadOp::create(b, loc, memory, indicesOf(map, dims));
    auto branch = scf::IfOp::create(b, loc, TypeRange{f32}, inBounds, true, true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(branch.thenBlock());
    scf::YieldOp::create(b, loc,
                         ValueRange{memref::LoadOp::create(b, loc, memory, indicesOf(map, dims))});
    b.setInsertionPointToStart(branch.elseBlock());
    scf::YieldOp::create(
        b, loc, ValueRange{arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f))});
    return branch.getResult(0);
  }

  Value both(Value x, Value y) {
    if (!x)
      return y;
    if (!y)
      return x;
    return arith::AndIOp::create(b, loc, x, y);
  }

  /// A loop whose body the callback builds at the current insertion point.
  template <typename Body>
  void loop(int64_t count, Body body) {
    auto forOp = scf::ForOp::create(b, loc, index(0), index(count), index(1));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forOp.getBody());
    body(forOp.getInductionVar());
  }

  /// A private constant global of `values` in the packed layout `type`,
  /// next to the global it was packed from; its memref at the insertion point.
  Value packedConstant(MemRefType type, ArrayRef<float> values, memref::GlobalOp from) {
    std::string name = (from.getSymName() + "_packed").str();
    auto tensorType = RankedTensorType::get(type.getShape(), f32);
    auto data = DenseF32ResourceElementsAttr::get(
        tensorType, name, HeapAsmResourceBlob::allocateAndCopyInferAlign<float>(values));
    memref::GlobalOp global;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(from);
      global = memref::GlobalOp::create(b, loc, name, b.getStringAttr("private"), type, data,
                                        /*constant=*/true, b.getI64IntegerAttr(64));
      symbols.insert(global); // renamed if the name is taken
    }
    return memref::GetGlobalOp::create(b, loc, type, global.getSymName());
  }

  /// Where a constant operand's element at loop indices `dims` is (its map
  /// a projected permutation, zeros for broadcast dims).
  static int64_t offsetOf(const ConstantOperand &constant, ArrayRef<int64_t> reads,
                          ArrayRef<int64_t> dims) {
    int64_t linear = 0;
    for (auto [read, stride] : llvm::zip(reads, constant.strides))
      linear += (read < 0 ? 0 : dims[read]) * stride;
    return linear;
  }

  /// How far apart the elements of loop dim `dim` are in a constant operand
  /// (0 if it does not read that dim): the packing loops step by it instead
  /// of recomputing every offset.
  static int64_t strideOf(const ConstantOperand &constant, ArrayRef<int64_t> reads,
                          int64_t dim) {
    int64_t stride = 0;
    for (auto [read, elementStride] : llvm::zip(reads, constant.strides))
      if (read == dim)
        stride += elementStride;
    return stride;
  }

  /// packB's layout, computed: Bp[ob, panel, k, j].
  SmallVector<float> packBAtCompileTime(const ConstantOperand &constant) {
    SmallVector<float> values(outerBTotal * panels * Kp * nr, 0.0f);
    SmallVector<int64_t> reads = readDims(c.mapB);
    SmallVector<int64_t> dims(c.sizes.size(), 0);
    for (int64_t ob = 0; ob < outerBTotal; ++ob) {
      int64_t rest = ob;
      for (unsigned dim : llvm::reverse(outerOfB)) {
        dims[dim] = rest % c.sizes[dim];
        rest /= c.sizes[dim];
      }
      dims[c.k] = dims[c.n] = 0;
      int64_t base = offsetOf(constant, reads, dims);
      int64_t strideK = strideOf(constant, reads, c.k), strideN = strideOf(constant, reads, c.n);
      for (int64_t panel = 0; panel < panels; ++panel)
        for (int64_t k = 0; k < K; ++k) {
          float *row = &values[((ob * panels + panel) * Kp + k) * nr];
          for (int64_t j = 0; j < nr && panel * nr + j < N; ++j)
            row[j] = constant.values[base + k * strideK + (panel * nr + j) * strideN];
        }
    }
    return values;
  }

  /// packA's layout for every row tile and reduction index at once:
  /// Ap[tile, k, i] = A[tile * mr + i, k], zero past M and K.
  SmallVector<float> packAAtCompileTime(const ConstantOperand &constant) {
    int64_t tiles = mBlocks * tilesPerBlock;
    SmallVector<float> values(tiles * Kp * mr, 0.0f);
    SmallVector<int64_t> reads = readDims(c.mapA);
    int64_t strideK = strideOf(constant, reads, c.k), strideM = strideOf(constant, reads, c.m);
    for (int64_t tile = 0; tile < tiles; ++tile)
      for (int64_t k = 0; k < K; ++k)
        for (int64_t i = 0; i < mr && tile * mr + i < M; ++i)
          values[(tile * Kp + k) * mr + i] =
              constant.values[k * strideK + (tile * mr + i) * strideM];
    return values;
  }

  /// Bp[ob, panel, k, j] = B[.., k, panel * nr + j], zero past N and K: one
  /// task per panel, reading B along its contiguous dim.
  void packB(Value packed) {
    auto tasks = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(outerBTotal * panels)},
                                       ValueRange{}, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(tasks.getBody());
    Value task = tasks.getInductionVars()[0];
    Value ob = arith::DivUIOp::create(b, loc, task, index(panels));
    Value panel = arith::RemUIOp::create(b, loc, task, index(panels));
    SmallVector<Value> dims(c.sizes.size(), index(0));
    SmallVector<int64_t> outerSizes;
    for (unsigned dim : outerOfB)
      outerSizes.push_back(c.sizes[dim]);
    for (auto [dim, value] : llvm::zip(outerOfB, delinearize(ob, outerSizes)))
      dims[dim] = value;
    Value firstColumn = mul(panel, nr);
    bool kContiguous = contiguousAlong(c.mapB, c.k);
    auto element = [&](Value kk, Value j) {
      dims[c.n] = add(firstColumn, j);
      dims[c.k] = kk;
      Value inBounds = both(N % nr ? lessThan(dims[c.n], N) : Value(),
                            Kp != K ? lessThan(kk, K) : Value());
      Value value = loadOrZero(c.b, c.mapB, dims, inBounds);
      memref::StoreOp::create(b, loc, value, packed, ValueRange{ob, panel, kk, j});
    };
    if (kContiguous)
      loop(nr, [&](Value j) { loop(Kp, [&](Value kk) { element(kk, j); }); });
    else
      loop(Kp, [&](Value kk) { loop(nr, [&](Value j) { element(kk, j); }); });
  }

  /// `constantA`: A packed at compile time (every row tile, the whole
  /// reduction), or null for a per-task packing.
  void compute(Value packed, Value constantA, bool zeroInit) {
    int64_t tasks = outerTotal * mBlocks * nBlocks;
    auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(tasks)},
                                        ValueRange{}, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    SmallVector<int64_t> taskSizes;
    for (unsigned dim : c.outer)
      taskSizes.push_back(c.sizes[dim]);
    taskSizes.push_back(mBlocks);
    taskSizes.push_back(nBlocks);
    SmallVector<Value> parts = delinearize(forall.getInductionVars()[0], taskSizes);
    SmallVector<Value> dims(c.sizes.size(), index(0));
    for (auto [dim, value] : llvm::zip(c.outer, parts))
      dims[dim] = value;
    Value mBlock = parts[parts.size() - 2], nBlock = parts.back();
    // The packed B of this task's outer indices.
    Value ob = index(0);
    for (unsigned dim : outerOfB)
      ob = add(mul(ob, c.sizes[dim]), dims[dim]);

    Value packedA = constantA;
    if (!constantA) {
      auto packedAType = MemRefType::get({tilesPerBlock, KC, mr}, f32);
      packedA = memref::AllocOp::create(b, loc, packedAType, b.getI64IntegerAttr(64));
    }
    TileOperands operands = tileOperands(packed, packedA);
    Value firstTile = mul(mBlock, tilesPerBlock);
    loop(kBlocks, [&](Value kBlock) {
      Value k0 = mul(kBlock, KC);
      if (!constantA)
        packA(packedA, dims, firstTile, k0);
      loop(panelsPerBlock, [&](Value p) {
        Value panel = add(mul(nBlock, panelsPerBlock), p);
        guardIf(nBlocks * panelsPerBlock > panels ? lessThan(panel, panels) : Value(), [&] {
          loop(tilesPerBlock, [&](Value t) {
            Value tile = add(firstTile, t);
            Value firstRow = mul(tile, mr);
            guardIf(mBlocks * tilesPerBlock * mr > ceilDiv(M, mr) * mr ? lessThan(firstRow, M)
                                                                        : Value(),
                    [&] {
                      // Per-task A is indexed from the task's first tile
                      // and block; compile-time A from the start.
                      Value tileOfA = constantA ? tile : t;
                      Value kOfA = constantA ? k0 : index(0);
                      microKernel(operands, ob, panel, tileOfA, kOfA, firstRow, kBlock,
                                  k0, dims, zeroInit);
                    });
          });
        });
      });
    });
    if (!constantA)
      memref::DeallocOp::create(b, loc, packedA);
  }

  template <typename Body>
  void guardIf(Value condition, Body body) {
    if (!condition) {
      body();
      return;
    }
    auto branch = scf::IfOp::create(b, loc, TypeRange{}, condition, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(branch.thenBlock());
    body();
  }

  /// Ap[t, kk, i] = A[.., (firstTile + t) * mr + i, k0 + kk], zero past M and K.
  void packA(Value packedA, SmallVector<Value> dims, Value firstTile, Value k0) {
    bool kContiguous = contiguousAlong(c.mapA, c.k);
    loop(tilesPerBlock, [&](Value t) {
      Value firstRow = mul(add(firstTile, t), mr);
      auto element = [&](Value kk, Value i) {
        dims[c.m] = add(firstRow, i);
        dims[c.k] = add(k0, kk);
        Value inBounds = both(M % mr || mBlocks * tilesPerBlock * mr > M ? lessThan(dims[c.m], M)
                                                                         : Value(),
                              Kp != K ? lessThan(dims[c.k], K) : Value());
        Value value = loadOrZero(c.a, c.mapA, dims, inBounds);
        memref::StoreOp::create(b, loc, value, packedA, ValueRange{t, kk, i});
      };
      if (kContiguous)
        loop(mr, [&](Value i) { loop(KC, [&](Value kk) { element(kk, i); }); });
      else
        loop(KC, [&](Value kk) { loop(mr, [&](Value i) { element(kk, i); }); });
    });
  }

  /// The rows x columns tile of C at (firstRow, panel * nr), KC steps of
  /// the reduction from k0: one call of the module's tile function
  /// (tileFunction), with flat views of Ap, Bp and C and the element
  /// offsets into them.
  /// What every tile call of a task passes: flat views of Ap, Bp and C's
  /// buffer, and C's offset and strides (made once per task).
  struct TileOperands {
    Value a, b, c, cOffset;
    SmallVector<Value> cStrides;
    int64_t rowLengthOfA;
  };

  TileOperands tileOperands(Value packed, Value packedA) {
    auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, c.c);
    return {flat(packedA), flat(packed), flat(metadata.getBaseBuffer()), metadata.getOffset(),
            SmallVector<Value>(metadata.getStrides()),
            cast<MemRefType>(packedA.getType()).getShape()[1]};
  }

  void microKernel(const TileOperands &operands, Value ob, Value panel, Value t, Value kOfA,
                   Value firstRow, Value kBlock, Value k0, SmallVector<Value> dims,
                   bool zeroInit) {
    Value firstColumn = mul(panel, nr);
    Value aOffset = mul(add(mul(t, operands.rowLengthOfA), kOfA), mr);
    Value bOffset = mul(add(mul(add(mul(ob, panels), panel), Kp), k0), nr);
    dims[c.m] = firstRow;
    dims[c.n] = firstColumn;
    Value cOffset = operands.cOffset;
    SmallVector<Value> at = indicesOf(c.mapC, dims);
    for (auto [position, stride] : llvm::zip(at, operands.cStrides))
      cOffset = add(cOffset, arith::MulIOp::create(b, loc, position, stride));
    unsigned mPosition = *c.mapC.getResultPosition(getAffineDimExpr(c.m, b.getContext()));
    Value rows = arith::MinUIOp::create(b, loc, index(mr),
                                        arith::SubIOp::create(b, loc, index(M), firstRow));
    Value columns = arith::MinUIOp::create(
        b, loc, index(nr), arith::SubIOp::create(b, loc, index(N), firstColumn));
    Value loadC = zeroInit ? arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, kBlock,
                                                   index(0)).getResult()
                           : arith::ConstantIntOp::create(b, loc, 1, 1).getResult();
    func::CallOp call = func::CallOp::create(
        b, loc, tileFunction, ValueRange{operands.a, aOffset, operands.b, bOffset, operands.c,
                                         cOffset, operands.cStrides[mPosition], index(KC), rows,
                                         columns, loadC});
    // The callee reads and writes through its memrefs during the call only:
    // to the memory plan, an ordinary use of the buffers (tian-plan-memory).
    call->setAttr("tian.no_capture", b.getUnitAttr());
    // What the call costs, for tian-prepare-parallel-loops' decision to
    // share a loop of them among threads (a call is one op to it): KC
    // steps of rows x (columns / lanes) vector multiply-adds. Without it
    // a convolution over constant (compile-time packed) weights, whose
    // task body is tile calls only, ran on one thread.
    call->setAttr("tian.work", b.getI64IntegerAttr(KC * mr * shape.vectors));
  }

  /// `buffer` (identity layout, or a rank-0 base buffer) as one flat run of
  /// floats from its first element: the tile function's pointer type.
  Value flat(Value buffer) {
    return memref::ReinterpretCastOp::create(b, loc, flatType(b.getContext()), buffer,
                                             /*offset=*/0, ArrayRef<int64_t>{kFlatSize},
                                             ArrayRef<int64_t>{1});
  }

public:
  /// The tile function the calls go to (created once per module).
  func::FuncOp tileFunction;
};

struct BlockMatmulsPass : public tian::impl::BlockMatmulsBase<BlockMatmulsPass> {
  using BlockMatmulsBase::BlockMatmulsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    MicroKernelShape shape = tian::chooseMicroKernel(vectorBits, vectorRegisters);
    SmallVector<linalg::GenericOp> candidates;
    for (auto function : module.getOps<func::FuncOp>())
      if (!function.isExternal())
        for (Operation &op : function.getBody().getOps())
          if (auto generic = dyn_cast<linalg::GenericOp>(op))
            candidates.push_back(generic);
    llvm::SetVector<memref::GlobalOp> packedGlobals;
    for (linalg::GenericOp generic : candidates) {
      std::optional<Contraction> contraction = matchContraction(generic);
      if (!contraction || !worthBlocking(*contraction, shape))
        continue;
      if (contraction->a != contraction->b) { // t @ t reads one copy twice: keep it
        contraction->a = readThroughCopy(contraction->a, contraction->mapA, generic);
        contraction->b = readThroughCopy(contraction->b, contraction->mapB, generic);
      }
      bool zeroInit = takeZeroFill(contraction->c, generic);
      OpBuilder builder(generic);
      Emitter emitter(*contraction, shape, builder, symbols);
      emitter.tileFunction = getOrCreateTileFunction(module, symbols, shape);
      for (memref::GlobalOp global : emitter.emit(zeroInit))
        packedGlobals.insert(global);
      generic->erase();
    }
    // A weight that lives on only in its packed copy is dropped.
    for (memref::GlobalOp global : packedGlobals) {
      for (auto function : module.getOps<func::FuncOp>())
        function.walk([&](memref::GetGlobalOp get) {
          if (get.getName() == global.getSymName() && get->use_empty())
            get->erase();
        });
      if (SymbolTable::symbolKnownUseEmpty(global, module))
        symbols.erase(global);
    }
  }

  /// Tiny or thin products (a matrix-vector product, rows of one) stay
  /// loops: packing would cost more than it saves.
  bool worthBlocking(const Contraction &c, const MicroKernelShape &shape) const {
    int64_t m = c.sizes[c.m], n = c.sizes[c.n], k = c.sizes[c.k];
    return m >= 2 && n >= shape.lanes && k >= 2 && m * n * k >= minMultiplyAdds;
  }
};

} // namespace
