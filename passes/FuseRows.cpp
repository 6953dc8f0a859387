//===- FuseRows.cpp - reductions and their consumers, one row at a time ---===//
//
// softmax, log_softmax and layer_norm read a row, reduce it, and read it
// again with the reduced value broadcast along it. Elementwise fusion alone
// cannot put a reduction and its consumers in one loop nest (the consumers
// need the whole reduced value first); a row loop can: everything of one
// row is computed while the row sits in L1, and the tensor is read from
// memory once.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "dialects/tian/TianOps.h"
#include "passes/FusionGroups.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::tian {
#define GEN_PASS_DEF_FUSEROWS
#include "passes/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;
using namespace mlir::tian;

namespace {

/// The row structure of a group: every op iterates over the leading
/// `rows` dims and, inside one row, over `rowShape` (or over a single
/// element, for the per-row statistics).
struct RowShape {
  SmallVector<int64_t> rows;
  SmallVector<int64_t> rowShape;
  bool operator==(const RowShape &other) const {
    return rows == other.rows && rowShape == other.rowShape;
  }
};

ArrayRef<int64_t> staticShape(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() ? tensor.getShape() : ArrayRef<int64_t>();
}

bool isReduction(Operation *op) {
  return isa<ReduceSumOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(op);
}

/// A keepdims reduction over trailing axes defines a row structure.
std::optional<RowShape> rowShapeOfReduction(Operation *op) {
  if (!isReduction(op) || !op->hasAttr("keepdims"))
    return std::nullopt;
  ArrayRef<int64_t> shape = staticShape(op->getOperand(0).getType());
  auto axesAttr = op->getAttrOfType<DenseI64ArrayAttr>("axes");
  if (shape.empty() || !axesAttr || axesAttr.empty() ||
      staticShape(op->getResult(0).getType()).empty())
    return std::nullopt;
  ArrayRef<int64_t> axes = axesAttr.asArrayRef();
  int64_t first = static_cast<int64_t>(shape.size()) - static_cast<int64_t>(axes.size());
  for (auto [index, axis] : llvm::enumerate(axes))
    if (axis != first + static_cast<int64_t>(index))
      return std::nullopt; // not the trailing axes
  if (first == 0)
    return std::nullopt; // a whole-tensor reduction has no rows
  return RowShape{SmallVector<int64_t>(shape.take_front(first)),
                  SmallVector<int64_t>(shape.drop_front(first))};
}

/// Does `shape` iterate over `rows` whole rows of `row`, or over one
/// statistic per row?
bool fitsRows(ArrayRef<int64_t> shape, const RowShape &row) {
  size_t rank = row.rows.size() + row.rowShape.size();
  if (shape.size() != rank || shape.take_front(row.rows.size()) != ArrayRef(row.rows))
    return false;
  ArrayRef<int64_t> inner = shape.drop_front(row.rows.size());
  return inner == ArrayRef(row.rowShape) || llvm::all_of(inner, [](int64_t d) { return d == 1; });
}

/// An elementwise op fits when it computes whole rows or row statistics and
/// every operand broadcasts into it without mixing rows: each leading dim
/// is the row's or 1 (a parameter shared by every row, like a LayerNorm
/// weight).
bool fitsRows(Operation *op, const RowShape &row) {
  if (isReduction(op))
    return rowShapeOfReduction(op) == row;
  if (!isa<ElementwiseOpInterface>(op) || op->getNumResults() != 1 ||
      !fitsRows(staticShape(op->getResult(0).getType()), row))
    return false;
  size_t rank = row.rows.size() + row.rowShape.size();
  for (Type type : op->getOperandTypes()) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape() || tensor.getRank() > static_cast<int64_t>(rank))
      return false;
    ArrayRef<int64_t> shape = tensor.getShape();
    size_t pad = rank - shape.size();
    for (size_t d = 0; d < row.rows.size(); ++d)
      if (d >= pad && shape[d - pad] != 1 && shape[d - pad] != row.rows[d])
        return false;
  }
  return true;
}

/// The row loop replaces the group at its last op (`group.front()`, the
/// sink). Ops outside the group that read its values before that point move
/// right after it, in order; if one of them feeds the group back, the group
/// would depend on itself and is given up (false).
bool makeRoomForTheLoop(const llvm::SetVector<Operation *> &group) {
  Operation *sink = group.front();
  Operation *first = sink;
  for (Operation *member : group)
    if (member->isBeforeInBlock(first))
      first = member;
  llvm::SetVector<Operation *> dependent;
  for (Operation *op = first; op != sink->getNextNode(); op = op->getNextNode()) {
    auto readsGroup = [&](Value value) {
      Operation *def = value.getDefiningOp();
      return def && (group.contains(def) || dependent.contains(def));
    };
    if (group.contains(op)) {
      if (llvm::any_of(op->getOperands(), [&](Value v) {
            Operation *def = v.getDefiningOp();
            return def && dependent.contains(def);
          }))
        return false;
      continue;
    }
    if (llvm::any_of(op->getOperands(), readsGroup))
      dependent.insert(op);
  }
  Operation *after = sink;
  for (Operation *op : dependent) {
    op->moveAfter(after);
    after = op;
  }
  return true;
}

struct FuseRowsPass : public tian::impl::FuseRowsBase<FuseRowsPass> {
  void runOnOperation() override {
    Block &body = getOperation().getBody().front();
    // Grow a group from every reduction along def-use edges through ops of
    // the same row structure; groups that meet are one.
    llvm::EquivalenceClasses<Operation *> groups;
    llvm::DenseMap<Operation *, RowShape> shapeOf;
    for (Operation &seed : body) {
      std::optional<RowShape> row = rowShapeOfReduction(&seed);
      if (!row || shapeOf.count(&seed))
        continue;
      SmallVector<Operation *> work{&seed};
      shapeOf[&seed] = *row;
      groups.insert(&seed);
      while (!work.empty()) {
        Operation *op = work.pop_back_val();
        SmallVector<Operation *> neighbours(op->getUsers().begin(), op->getUsers().end());
        for (Value operand : op->getOperands())
          if (Operation *def = operand.getDefiningOp(); def && def->getBlock() == &body)
            neighbours.push_back(def);
        for (Operation *next : neighbours) {
          if (!fitsRows(next, *row))
            continue;
          auto known = shapeOf.find(next);
          if (known != shapeOf.end() && !(known->second == *row))
            continue; // already in a group of another row structure
          if (known == shapeOf.end()) {
            shapeOf[next] = *row;
            groups.insert(next);
            work.push_back(next);
          }
          groups.unionSets(op, next);
        }
      }
    }

    // A connected set of row ops becomes one row loop computed for one
    // result: the op no other op of the set reads (the sink) whose backward
    // slice within the set is largest. The slice is the group; ops of the
    // set outside it (another sink, like log_softmax next to a softmax that
    // shares its exp) are left to elementwise fusion, and values they or
    // any other op read from the group are yielded by the loop as well.
    // The group must consume a reduction (otherwise tian-fuse-elementwise
    // already did what can be done).
    llvm::DenseMap<Operation *, SmallVector<Operation *>> members;
    for (Operation &op : body)
      if (groups.contains(&op))
        members[groups.getLeaderValue(&op)].push_back(&op);
    int64_t nextId = unusedFusionGroup(body);
    Builder builder(&getContext());
    for (Operation &op : body) {
      if (!groups.contains(&op) || groups.getLeaderValue(&op) != &op)
        continue;
      auto inSet = [&](Operation *other) {
        return other && groups.contains(other) && groups.getLeaderValue(other) == &op;
      };
      llvm::SetVector<Operation *> best;
      for (Operation *sink : members[&op]) {
        if (llvm::any_of(sink->getUsers(), inSet))
          continue;
        llvm::SetVector<Operation *> slice;
        slice.insert(sink);
        for (size_t i = 0; i < slice.size(); ++i)
          for (Value operand : slice[i]->getOperands())
            if (Operation *def = operand.getDefiningOp(); inSet(def))
              slice.insert(def);
        if (slice.size() >= best.size())
          best = std::move(slice);
      }
      bool consumesReduction = llvm::any_of(best, [&](Operation *member) {
        return isReduction(member) &&
               llvm::any_of(member->getUsers(), [&](Operation *user) { return best.contains(user); });
      });
      if (!consumesReduction || !makeRoomForTheLoop(best))
        continue;
      int64_t rows = static_cast<int64_t>(shapeOf[&op].rows.size());
      for (Operation *member : best) {
        member->setAttr(kFusionGroupAttr, builder.getI64IntegerAttr(nextId));
        member->setAttr(kFusionRowsAttr, builder.getI64IntegerAttr(rows));
      }
      ++nextId;
    }
    renumberFusionGroups(body);
  }
};

} // namespace
