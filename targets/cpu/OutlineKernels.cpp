//===- OutlineKernels.cpp - one function per linalg op, noalias buffers ---===//
#include "targets/cpu/Passes.h"

#include "dialects/tian/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::tian {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "targets/cpu/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

/// The bytes a root buffer occupies, when known: [offset, end) in the arena
/// it views; std::nullopt for a buffer of its own.
struct Extent {
  Value base;
  int64_t begin = 0, end = 0;
};

std::optional<Extent> arenaExtent(Value root) {
  auto view = root.getDefiningOp<memref::ViewOp>();
  if (!view)
    return std::nullopt;
  auto type = cast<MemRefType>(view.getType());
  IntegerAttr shift;
  if (!matchPattern(view.getByteShift(), m_Constant(&shift)) || !type.hasStaticShape())
    return Extent{view.getSource(), 0, INT64_MAX}; // unknown: overlaps everything
  return Extent{view.getSource(), shift.getInt(), shift.getInt() + tian::storageBytes(type)};
}

/// An in-place op reads and writes one arena slot through two views of
/// the same offset and type: one parameter serves both, so LLVM sees the
/// exact overlap (which vectorizes) instead of a possible partial one.
Value sameBytesAs(Value root, const llvm::SetVector<Value> &params) {
  std::optional<Extent> mine = arenaExtent(root);
  if (!mine)
    return root;
  for (Value param : params) {
    std::optional<Extent> theirs = arenaExtent(param);
    if (theirs && param.getType() == root.getType() && theirs->base == mine->base &&
        theirs->begin == mine->begin && theirs->end == mine->end)
      return param;
  }
  return root;
}

/// A value the kernel can take as a parameter: a static, identity-layout
/// memref (passed as a bare pointer) or a scalar.
bool isPassable(Value value) {
  if (auto type = dyn_cast<MemRefType>(value.getType()))
    return type.hasStaticShape() && type.getLayout().isIdentity();
  return value.getType().isIntOrIndexOrFloat();
}

struct OutlineKernelsPass : public tian::impl::OutlineKernelsBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions;
    for (auto function : module.getOps<func::FuncOp>())
      if (function.isPublic() && !function.isExternal() && function.getBody().hasOneBlock())
        functions.push_back(function);
    for (func::FuncOp function : functions) {
      unsigned count = 0;
      SmallVector<Operation *> ops;
      for (Operation &op : function.getBody().front()) {
        auto linalgOp = dyn_cast<linalg::LinalgOp>(&op);
        // A row loop (tian-tile-row-groups) is one kernel too.
        if ((linalgOp && linalgOp.hasPureBufferSemantics()) || isa<scf::ForallOp>(op))
          ops.push_back(&op);
      }
      for (Operation *op : ops)
        outline(op, function, symbols, count);
    }
  }

  void outline(Operation *op, func::FuncOp parent, SymbolTable &symbols, unsigned &count) {
    // Walk each operand back through the views that produce it to a root
    // the kernel can take; the views are cloned inside.
    llvm::SetVector<Value> params;
    llvm::SetVector<Operation *> cloned;
    llvm::DenseMap<Value, Value> aliases; // a root -> the param with the same bytes
    // The operands, and the values the op's body reads from outside it
    // (constants hoisted by canonicalization).
    llvm::SetVector<Value> inputs(op->getOperands().begin(), op->getOperands().end());
    getUsedValuesDefinedAbove(op->getRegions(), inputs);
    for (Value operand : inputs) {
      Value value = operand;
      SmallVector<Operation *> chain;
      while (true) {
        Operation *def = value.getDefiningOp();
        if (def && def->hasTrait<OpTrait::ConstantLike>()) {
          chain.push_back(def);
          break;
        }
        auto view = dyn_cast_or_null<ViewLikeOpInterface>(def);
        bool isRootView = isa_and_nonnull<memref::ViewOp>(def) && isPassable(value);
        if (!view || isRootView || def->getNumOperands() != 1) {
          if (!isPassable(value))
            return; // a root the kernel cannot take: leave the op where it is
          Value canonical = sameBytesAs(value, params);
          params.insert(canonical);
          if (canonical != value)
            aliases[value] = canonical;
          break;
        }
        chain.push_back(def);
        value = view.getViewSource();
      }
      for (Operation *def : llvm::reverse(chain))
        cloned.insert(def);
    }

    OpBuilder builder(parent);
    std::string name = (parent.getSymName() + "_kernel" + Twine(count++)).str();
    SmallVector<Type> types;
    for (Value param : params)
      types.push_back(param.getType());
    auto kernel = func::FuncOp::create(builder, op->getLoc(), name,
                                       builder.getFunctionType(types, {}));
    kernel.setPrivate();
    symbols.insert(kernel);
    // noalias where no other root of the op may share bytes.
    SmallVector<Value> roots(params.begin(), params.end());
    for (auto [index, root] : llvm::enumerate(roots)) {
      if (!isa<MemRefType>(root.getType()))
        continue;
      bool alone = true;
      std::optional<Extent> mine = arenaExtent(root);
      for (Value other : roots) {
        if (other == root || !isa<MemRefType>(other.getType()))
          continue;
        std::optional<Extent> theirs = arenaExtent(other);
        if (mine && theirs && mine->base == theirs->base && mine->begin < theirs->end &&
            theirs->begin < mine->end)
          alone = false;
      }
      if (alone)
        kernel.setArgAttr(index, LLVM::LLVMDialect::getNoAliasAttrName(), builder.getUnitAttr());
    }

    Block *body = kernel.addEntryBlock();
    builder.setInsertionPointToStart(body);
    IRMapping mapping;
    for (auto [param, argument] : llvm::zip(params, body->getArguments()))
      mapping.map(param, argument);
    for (auto [root, param] : aliases)
      mapping.map(root, mapping.lookup(param));
    for (Operation *def : cloned)
      builder.clone(*def, mapping);
    builder.clone(*op, mapping);
    func::ReturnOp::create(builder, op->getLoc());

    builder.setInsertionPoint(op);
    func::CallOp::create(builder, op->getLoc(), kernel, params.getArrayRef());
    op->erase();
  }
};

} // namespace
