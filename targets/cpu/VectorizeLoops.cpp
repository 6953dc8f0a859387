//===- VectorizeLoops.cpp - innermost loops as vector-dialect code --------===//
//
// The loops convert-linalg-to-loops leaves are scalar: a load per operand, a
// chain of arith/math ops, a store. This pass rewrites an innermost loop whose
// every access is contiguous along the induction variable (or does not
// depend on it) into a loop of `vector.load`, vector arith/math and
// `vector.store` over `lanes` elements at a time, and a scalar loop for the
// remainder. Reductions into a location the loop does not move along (the
// linalg form: load, combine, store at fixed indices) get a vector
// accumulator carried by the loop and one `vector.reduction` after it.
// Stores into buffers too large to stay in cache bypass it (non-temporal),
// in a version of the vector loop for aligned addresses.
//
// Loops it cannot prove safe and simple are left as they are (LLVM's loop
// vectorizer still sees them): any other use of the induction variable
// (strided or transposed access, iota), nested regions, calls, a written
// buffer read at other indices, or buffers that may alias.
//
//===----------------------------------------------------------------------===//
#include "targets/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::tian {
#define GEN_PASS_DEF_VECTORIZELOOPS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// A loop-carried reduction in its linalg-to-loops form:
///   %a = memref.load %M[uniform indices]; %c = combine %a, %x;
///   memref.store %c, %M[the same indices]
struct Reduction {
  memref::LoadOp load;
  Operation *combine;
  memref::StoreOp store;
  vector::CombiningKind kind;
  TypedAttr identity;
};

bool isVectorElement(Type type) {
  return isa<FloatType>(type) || (isa<IntegerType>(type) && type.getIntOrFloatBitWidth() <= 64);
}

/// Whether a vector of `type` has the layout of its elements in a buffer:
/// a vector of i1 is packed bits, a buffer of i1 a byte each.
bool isVectorMemoryElement(Type type) {
  return isVectorElement(type) && type.getIntOrFloatBitWidth() % 8 == 0;
}

/// The buffer a view is taken of (through subviews, casts, reshapes), or,
/// without `intoArena`, the buffer a `memref.view` carves out of an arena.
Value rootOf(Value memref, bool intoArena = true) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>()) {
    if (!intoArena && isa<memref::ViewOp>(view))
      break;
    memref = view.getViewSource();
  }
  return memref;
}

/// Whether two distinct roots cannot share bytes: fresh allocations are
/// distinct from everything, and so are kernel parameters marked noalias.
bool provablyDisjoint(Value a, Value b) {
  auto isFresh = [](Value v) {
    return v.getDefiningOp<memref::AllocOp>() || v.getDefiningOp<memref::AllocaOp>();
  };
  auto isNoAliasArgument = [](Value v) {
    auto argument = dyn_cast<BlockArgument>(v);
    if (!argument)
      return false;
    auto function = dyn_cast<FunctionOpInterface>(argument.getOwner()->getParentOp());
    return function && argument.getOwner()->isEntryBlock() &&
           function.getArgAttr(argument.getArgNumber(), "llvm.noalias");
  };
  if (isFresh(a) || isFresh(b) || isNoAliasArgument(a) || isNoAliasArgument(b))
    return true;
  auto globalA = a.getDefiningOp<memref::GetGlobalOp>();
  auto globalB = b.getDefiningOp<memref::GetGlobalOp>();
  return globalA && globalB && globalA.getName() != globalB.getName();
}

/// Streaming (non-temporal) stores write whole cache lines from aligned
/// addresses: 64 bytes covers every target's vector registers.
constexpr int64_t kStreamingAlignment = 64;

class LoopVectorizer {
public:
  LoopVectorizer(scf::ForOp loop, int64_t vectorBits, int64_t streamingBytes)
      : loop(loop), vectorBits(vectorBits), streamingBytes(streamingBytes) {}

  /// Whether the loop can be rewritten, filling in what rewrite() needs.
  bool analyze();
  void rewrite();

private:
  scf::ForOp buildVectorLoop(OpBuilder &b, Value lower, Value upper, Value step,
                             ValueRange initial, bool streaming);
  /// Whether every streaming store's first address is aligned.
  Value streamingStoresAligned(OpBuilder &b, Value lower);

  enum class Access { Uniform, Contiguous };
  /// How an access's indices use the induction variable; failure when the
  /// loop moves it in any other way than along the contiguous last dim.
  FailureOr<Access> classify(ValueRange indices, MemRefType type);
  bool isVarying(Value value) const { return varying.contains(value); }
  bool isStreamingCandidate(memref::StoreOp store);
  VectorType vectorTypeOf(Type scalar) const { return VectorType::get({lanes}, scalar); }
  Value vectorOf(OpBuilder &b, Value scalar, IRMapping &mapping);

  scf::ForOp loop;
  int64_t vectorBits;
  int64_t streamingBytes;
  int64_t lanes = 0;
  /// Contiguous stores into buffers too large to stay in cache.
  SmallVector<memref::StoreOp> streamingStores;
  DenseSet<Value> varying;
  DenseMap<Operation *, Access> accesses;
  SmallVector<Reduction> reductions;
  DenseMap<Operation *, unsigned> reductionOf; // load, combine and store -> index
  DenseMap<Value, Value> broadcasts;
};

bool LoopVectorizer::isStreamingCandidate(memref::StoreOp store) {
  if (streamingBytes <= 0)
    return false;
  // An arena holds many buffers: the size that counts is the one written.
  auto rootType = dyn_cast<MemRefType>(rootOf(store.getMemRef(), /*intoArena=*/false).getType());
  if (!rootType || !rootType.hasStaticShape() ||
      rootType.getNumElements() * rootType.getElementTypeBitWidth() / 8 < streamingBytes)
    return false;
  // Its address is computed before the loop.
  return llvm::all_of(store->getOperands().drop_front(), [&](Value operand) {
    return operand == loop.getInductionVar() || loop.isDefinedOutsideOfLoop(operand);
  });
}

FailureOr<LoopVectorizer::Access> LoopVectorizer::classify(ValueRange indices, MemRefType type) {
  Value iv = loop.getInductionVar();
  for (auto [position, index] : llvm::enumerate(indices)) {
    if (isVarying(index))
      return failure();
    if (index == iv && position + 1 != indices.size())
      return failure();
  }
  if (indices.empty() || indices.back() != iv)
    return Access::Uniform;
  if (!type.isLastDimUnitStride())
    return failure();
  return Access::Contiguous;
}

bool LoopVectorizer::analyze() {
  if (!loop.getInitArgs().empty() || getConstantIntValue(loop.getStep()) != 1)
    return false;
  Block *body = loop.getBody();
  Value iv = loop.getInductionVar();
  unsigned widestBits = 0;
  auto noteVectorType = [&](Type type) {
    if (!isVectorElement(type))
      return false;
    widestBits = std::max(widestBits, type.getIntOrFloatBitWidth());
    return true;
  };

  // Reductions first: their load and store are uniform accesses to a
  // buffer the loop writes, which the general rule below would reject.
  for (Operation &op : body->without_terminator()) {
    auto store = dyn_cast<memref::StoreOp>(op);
    if (!store)
      continue;
    Operation *combine = store.getValue().getDefiningOp();
    if (!combine || combine->getBlock() != body || combine->getNumOperands() != 2 ||
        !combine->hasOneUse())
      continue;
    std::optional<vector::CombiningKind> kind = linalg::getCombinerOpKind(combine);
    std::optional<TypedAttr> identity = arith::getNeutralElement(combine);
    if (!kind || !identity)
      continue;
    // Float sums and products are reordered only where tianc allowed it.
    if (isa<arith::AddFOp, arith::MulFOp>(combine) &&
        !bitEnumContainsAll(cast<arith::ArithFastMathInterface>(combine).getFastMathFlagsAttr().getValue(),
                            arith::FastMathFlags::reassoc))
      continue;
    for (Value operand : combine->getOperands()) {
      auto load = operand.getDefiningOp<memref::LoadOp>();
      if (!load || load->getBlock() != body || !load->hasOneUse() ||
          load.getMemRef() != store.getMemRef() || load.getIndices() != store.getIndices() ||
          !load->isBeforeInBlock(combine))
        continue;
      reductionOf[load] = reductionOf[combine] = reductionOf[store] = reductions.size();
      reductions.push_back({load, combine, store, *kind, *identity});
      break;
    }
  }

  for (Operation &op : body->without_terminator()) {
    if (op.getNumRegions() != 0)
      return false;
    if (auto it = reductionOf.find(&op); it != reductionOf.end()) {
      // The indices must not move with the loop, nor depend on its values.
      Reduction &reduction = reductions[it->second];
      if (&op == reduction.load.getOperation()) {
        // Read and written back after the vector loop: defined before it.
        for (Value value : reduction.load->getOperands())
          if (!loop.isDefinedOutsideOfLoop(value))
            return false;
        varying.insert(reduction.load.getResult());
      } else if (&op == reduction.combine) {
        varying.insert(op.getResult(0));
      }
      if (!noteVectorType(reduction.load.getType()))
        return false;
      continue;
    }
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      FailureOr<Access> access = classify(load.getIndices(), load.getMemRefType());
      if (failed(access))
        return false;
      accesses[&op] = *access;
      if (*access == Access::Contiguous) {
        if (!isVectorMemoryElement(load.getType()) || !noteVectorType(load.getType()))
          return false;
        varying.insert(load.getResult());
      }
      continue;
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      FailureOr<Access> access = classify(store.getIndices(), store.getMemRefType());
      if (failed(access) || *access != Access::Contiguous ||
          !isVectorMemoryElement(store.getValue().getType()) ||
          !noteVectorType(store.getValue().getType()))
        return false;
      accesses[&op] = *access;
      if (isStreamingCandidate(store))
        streamingStores.push_back(store);
      continue;
    }
    if (!isMemoryEffectFree(&op))
      return false;
    bool anyVarying = false;
    for (Value operand : op.getOperands()) {
      if (operand == iv)
        return false; // iota-like uses of the index: not handled
      anyVarying |= isVarying(operand);
    }
    if (!anyVarying)
      continue; // computed once per iteration as a scalar (LLVM hoists it)
    if (!op.hasTrait<OpTrait::Elementwise>() || !op.hasTrait<OpTrait::Vectorizable>())
      return false;
    for (Type type : llvm::concat<Type>(op.getOperandTypes(), op.getResultTypes()))
      if (!noteVectorType(type))
        return false;
    for (Value result : op.getResults())
      varying.insert(result);
  }
  if (widestBits == 0)
    return false; // nothing moves with the loop

  // Memory: a buffer the loop writes is touched at the iteration's own
  // elements only, and by no view of another buffer that may alias it.
  SmallVector<Operation *> memoryOps;
  for (Operation &op : body->without_terminator())
    if (isa<memref::LoadOp, memref::StoreOp>(op))
      memoryOps.push_back(&op);
  auto memrefOf = [](Operation *op) {
    return isa<memref::LoadOp>(op) ? cast<memref::LoadOp>(op).getMemRef()
                                   : cast<memref::StoreOp>(op).getMemRef();
  };
  auto indicesOf = [](Operation *op) {
    return isa<memref::LoadOp>(op) ? cast<memref::LoadOp>(op).getIndices()
                                   : cast<memref::StoreOp>(op).getIndices();
  };
  for (Operation *writer : memoryOps) {
    if (!isa<memref::StoreOp>(writer))
      continue;
    Value written = memrefOf(writer);
    bool isReduction = reductionOf.contains(writer);
    for (Operation *other : memoryOps) {
      if (other == writer)
        continue;
      Value memref = memrefOf(other);
      if (memref == written) {
        if (isReduction ? reductionOf.lookup(other) != reductionOf.lookup(writer) ||
                              !reductionOf.contains(other)
                        : reductionOf.contains(other) || indicesOf(other) != indicesOf(writer))
          return false;
        continue;
      }
      Value rootA = rootOf(written), rootB = rootOf(memref);
      if (rootA == rootB || !provablyDisjoint(rootA, rootB))
        return false;
    }
  }

  // As wide as asked, but narrower for a loop known to be shorter: halved
  // down to 128 bits while the trip count is below one vector.
  lanes = std::max<int64_t>(1, vectorBits / widestBits);
  int64_t narrowest = std::max<int64_t>(2, 128 / widestBits);
  std::optional<APInt> tripCount = loop.getStaticTripCount();
  if (tripCount)
    while (lanes / 2 >= narrowest && tripCount->getSExtValue() < lanes)
      lanes /= 2;
  if (tripCount && tripCount->getSExtValue() < lanes)
    return false; // not one full vector: the scalar loop is all there is
  return lanes > 1;
}

Value LoopVectorizer::vectorOf(OpBuilder &b, Value scalar, IRMapping &mapping) {
  Value mapped = mapping.lookupOrDefault(scalar);
  if (isa<VectorType>(mapped.getType()))
    return mapped;
  Value &broadcast = broadcasts[mapped];
  if (!broadcast)
    broadcast = vector::BroadcastOp::create(b, scalar.getLoc(), vectorTypeOf(mapped.getType()),
                                            mapped);
  return broadcast;
}

scf::ForOp LoopVectorizer::buildVectorLoop(OpBuilder &b, Value lower, Value upper, Value step,
                                           ValueRange initial, bool streaming) {
  Location loc = loop.getLoc();
  broadcasts.clear();
  auto vectorLoop = scf::ForOp::create(b, loc, lower, upper, step, initial);
  vectorLoop->setAttrs(loop->getAttrs());
  // The builder gives a loop without results its terminator; ours comes last.
  if (!vectorLoop.getBody()->empty())
    vectorLoop.getBody()->getTerminator()->erase();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(vectorLoop.getBody());
  IRMapping mapping;
  mapping.map(loop.getInductionVar(), vectorLoop.getInductionVar());
  SmallVector<Value> yielded(reductions.size());
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (auto it = reductionOf.find(&op); it != reductionOf.end()) {
      unsigned index = it->second;
      Reduction &reduction = reductions[index];
      if (&op == reduction.load.getOperation()) {
        mapping.map(reduction.load.getResult(), vectorLoop.getRegionIterArgs()[index]);
      } else if (&op == reduction.combine) {
        auto fastMath = dyn_cast<arith::ArithFastMathInterface>(op);
        Value other = op.getOperand(0) == reduction.load.getResult() ? op.getOperand(1)
                                                                     : op.getOperand(0);
        yielded[index] = vector::makeArithReduction(
            b, op.getLoc(), reduction.kind, vectorOf(b, other, mapping),
            mapping.lookup(reduction.load.getResult()),
            fastMath ? fastMath.getFastMathFlagsAttr() : nullptr);
      }
      continue;
    }
    auto mappedIndices = [&](ValueRange indices) {
      return llvm::map_to_vector(indices, [&](Value v) { return mapping.lookupOrDefault(v); });
    };
    if (auto load = dyn_cast<memref::LoadOp>(op); load && accesses[&op] == Access::Contiguous) {
      mapping.map(load.getResult(),
                  vector::LoadOp::create(b, load.getLoc(), vectorTypeOf(load.getType()),
                                         mapping.lookupOrDefault(load.getMemRef()),
                                         mappedIndices(load.getIndices())));
      continue;
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      auto vectorStore = vector::StoreOp::create(
          b, store.getLoc(), vectorOf(b, store.getValue(), mapping),
          mapping.lookupOrDefault(store.getMemRef()), mappedIndices(store.getIndices()));
      if (streaming && llvm::is_contained(streamingStores, store)) {
        vectorStore.setNontemporal(true);
        vectorStore.setAlignment(kStreamingAlignment);
      }
      continue;
    }
    if (!llvm::any_of(op.getOperands(), [&](Value v) { return isVarying(v); })) {
      b.clone(op, mapping);
      continue;
    }
    OperationState state(op.getLoc(), op.getName());
    for (Value operand : op.getOperands())
      state.addOperands(vectorOf(b, operand, mapping));
    for (Type type : op.getResultTypes())
      state.addTypes(vectorTypeOf(type));
    state.addAttributes(op.getAttrs());
    Operation *vectorOp = b.create(state);
    mapping.map(op.getResults(), vectorOp->getResults());
  }
  scf::YieldOp::create(b, loc, yielded);
  return vectorLoop;
}

Value LoopVectorizer::streamingStoresAligned(OpBuilder &b, Value lower) {
  Location loc = loop.getLoc();
  Value aligned;
  for (memref::StoreOp store : streamingStores) {
    // The address of the first element the vector loop stores; every step
    // moves it by a whole number of alignments.
    auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, store.getMemRef());
    Value element = metadata.getOffset();
    ValueRange indices = store.getIndices();
    for (auto [index, stride] : llvm::zip(indices.drop_back(), metadata.getStrides()))
      element = b.createOrFold<arith::AddIOp>(
          loc, element, b.createOrFold<arith::MulIOp>(loc, index, stride));
    element = b.createOrFold<arith::AddIOp>(loc, element, lower);
    int64_t bytes = store.getValue().getType().getIntOrFloatBitWidth() / 8;
    Value address = b.createOrFold<arith::AddIOp>(
        loc, memref::ExtractAlignedPointerAsIndexOp::create(b, loc, store.getMemRef()),
        b.createOrFold<arith::MulIOp>(loc, element,
                                      arith::ConstantIndexOp::create(b, loc, bytes)));
    Value misalignment = arith::AndIOp::create(
        b, loc, address, arith::ConstantIndexOp::create(b, loc, kStreamingAlignment - 1));
    Value isAligned = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, misalignment,
                                            arith::ConstantIndexOp::create(b, loc, 0));
    aligned = aligned ? arith::AndIOp::create(b, loc, aligned, isAligned) : isAligned;
  }
  return aligned;
}

void LoopVectorizer::rewrite() {
  Location loc = loop.getLoc();
  OpBuilder b(loop);
  Value lower = loop.getLowerBound(), upper = loop.getUpperBound();
  Value step = arith::ConstantIndexOp::create(b, loc, lanes);
  // The vector loop covers a whole number of steps; the scalar loop the rest.
  Value count = b.createOrFold<arith::SubIOp>(loc, upper, lower);
  Value vectorCount = b.createOrFold<arith::MulIOp>(
      loc, b.createOrFold<arith::DivSIOp>(loc, count, step), step);
  Value vectorUpper = b.createOrFold<arith::AddIOp>(loc, lower, vectorCount);

  SmallVector<Value> initial;
  for (Reduction &reduction : reductions)
    initial.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vectorTypeOf(reduction.load.getType()),
                                       ArrayRef<Attribute>{reduction.identity})));
  SmallVector<Value> results;
  if (streamingStores.empty()) {
    results = buildVectorLoop(b, lower, vectorUpper, step, initial, false).getResults();
  } else {
    // Streaming stores need aligned addresses, known only at run time: one
    // loop with them for aligned buffers, one without for the rest.
    auto versions = scf::IfOp::create(b, loc, ValueRange(initial).getTypes(),
                                      streamingStoresAligned(b, lower), /*withElseRegion=*/true);
    for (auto [block, streaming] :
         {std::pair(versions.thenBlock(), true), std::pair(versions.elseBlock(), false)}) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(block);
      scf::ForOp version = buildVectorLoop(b, lower, vectorUpper, step, initial, streaming);
      if (block->empty() || !block->back().hasTrait<OpTrait::IsTerminator>())
        scf::YieldOp::create(b, loc, version.getResults());
    }
    results = versions.getResults();
  }

  // Fold each vector accumulator into its buffer before the scalar loop
  // continues the reduction there.
  for (auto [index, reduction] : llvm::enumerate(reductions)) {
    Value buffer = reduction.store.getMemRef();
    SmallVector<Value> indices(reduction.store.getIndices());
    Value old = memref::LoadOp::create(b, loc, buffer, indices);
    auto fastMath = dyn_cast<arith::ArithFastMathInterface>(reduction.combine);
    Value reduced = vector::ReductionOp::create(
        b, loc, reduction.kind, results[index], old,
        fastMath ? fastMath.getFastMathFlagsAttr().getValue() : arith::FastMathFlags::none);
    memref::StoreOp::create(b, loc, reduced, buffer, indices);
  }
  std::optional<APInt> tripCount = loop.getStaticTripCount();
  if (tripCount && tripCount->getSExtValue() % lanes == 0)
    loop.erase();
  else
    loop.getLowerBoundMutable().assign(vectorUpper);
}

struct VectorizeLoopsPass : public tian::impl::VectorizeLoopsBase<VectorizeLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::ForOp> innermost;
    getOperation()->walk([&](scf::ForOp loop) {
      bool hasInnerLoop = false;
      loop.getBody()->walk([&](LoopLikeOpInterface) { hasInnerLoop = true; });
      if (!hasInnerLoop)
        innermost.push_back(loop);
    });
    for (scf::ForOp loop : innermost) {
      LoopVectorizer vectorizer(loop, vectorBits, streamingBytes);
      if (vectorizer.analyze())
        vectorizer.rewrite();
    }
  }
};

} // namespace
