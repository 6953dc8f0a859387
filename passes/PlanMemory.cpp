//===- PlanMemory.cpp - one arena for a function's temporaries ------------===//
#include "passes/Passes.h"

#include "passes/BufferUses.h"

#include "dialects/tian/ShapeUtils.h"

#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::tian {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;
using mlir::tian::overwritesWhole;

namespace {

constexpr int64_t kAlignment = 64;

/// One memref.alloc the plan places, with its lifetime in top-level ops.
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t start = 0, end = 0;
  SmallVector<memref::DeallocOp> deallocs;
  unsigned group = 0;
  bool hasViews = false;
  /// A buffer that is overwritten whole while dead is planned as several
  /// segments: set to the first op of this one (null: the whole buffer).
  Operation *segmentStart = nullptr;
  bool lastSegment = true;
};

/// Buffers that share their bytes (in place), placed as one.
struct Group {
  int64_t bytes = 0, start = 0, end = 0, offset = -1;
};

int64_t alignedBytes(MemRefType type) {
  return (tian::storageBytes(type) + kAlignment - 1) / kAlignment * kAlignment;
}

class Planner {
public:
  explicit Planner(func::FuncOp function) : body(function.getBody().front()) {
    int64_t index = 0;
    for (Operation &op : body)
      position[&op] = index++;
  }

  /// Collects the buffers the plan can follow; false if there are none.
  bool collect() {
    for (Operation &op : body) {
      auto alloc = dyn_cast<memref::AllocOp>(&op);
      if (!alloc || !alloc.getType().hasStaticShape() ||
          !alloc.getType().getLayout().isIdentity() || !alloc.getType().getElementType().isIntOrFloat())
        continue;
      Buffer buffer;
      buffer.alloc = alloc;
      buffer.bytes = alignedBytes(alloc.getType());
      buffer.start = buffer.end = position[alloc];
      bool first = true;
      if (!followUses(alloc.getResult(), buffer, first, buffers.size()))
        continue;
      SmallVector<Buffer> segments = splitAtOverwrites(buffer);
      if (segments.size() == 1)
        rootOf[alloc.getResult()] = buffers.size();
      else
        rootOf.erase(alloc.getResult()); // the in-place rule leaves split buffers alone
      buffers.append(segments.begin(), segments.end());
    }
    return !buffers.empty();
  }

  /// One buffer per span between whole overwrites (bufferization reuses a
  /// dead buffer for a later tensor; the bytes in between are free).
  SmallVector<Buffer> splitAtOverwrites(Buffer buffer) {
    Value value = buffer.alloc.getResult();
    if (buffer.hasViews)
      return {buffer};
    SmallVector<std::pair<int64_t, Operation *>> uses;
    for (Operation *user : value.getUsers())
      if (!isa<memref::DeallocOp>(user)) {
        Operation *top = body.findAncestorOpInBlock(*user);
        uses.push_back({position[top], top});
      }
    llvm::sort(uses, [](auto &a, auto &b) { return a.first < b.first; });
    SmallVector<Buffer> segments{buffer};
    segments.back().end = uses.empty() ? buffer.end : uses.front().first;
    for (auto [at, top] : uses) {
      if (at > segments.back().start && overwritesWhole(top, value) &&
          top != segments.back().segmentStart) {
        Buffer next = buffer;
        next.deallocs.clear();
        next.start = next.end = at;
        next.segmentStart = top;
        segments.back().lastSegment = false;
        segments.push_back(next);
        continue;
      }
      segments.back().end = std::max(segments.back().end, at);
    }
    if (segments.size() > 1)
      segments.front().segmentStart = uses.front().second;
    return segments;
  }

  void formGroups(bool inPlace) {
    for (unsigned i = 0; i < buffers.size(); ++i) {
      buffers[i].group = i;
      groups.push_back({buffers[i].bytes, buffers[i].start, buffers[i].end, -1});
    }
    if (!inPlace)
      return;
    for (Operation &op : body) {
      auto generic = dyn_cast<linalg::GenericOp>(&op);
      if (generic && generic.getNumLoops() == generic.getNumParallelLoops())
        shareInPlace(generic, position[&op]);
    }
  }

  /// Greedy by size: the largest group first, each at the smallest free gap
  /// (among the groups alive at the same time) that holds it.
  int64_t place() {
    SmallVector<unsigned> order;
    for (unsigned g = 0; g < groups.size(); ++g)
      if (isRoot(g))
        order.push_back(g);
    llvm::stable_sort(order, [&](unsigned a, unsigned b) {
      return groups[a].bytes != groups[b].bytes ? groups[a].bytes > groups[b].bytes
                                                : groups[a].start < groups[b].start;
    });
    SmallVector<unsigned> placed;
    int64_t peak = 0;
    for (unsigned g : order) {
      SmallVector<std::pair<int64_t, int64_t>> taken;
      for (unsigned p : placed)
        if (groups[p].start <= groups[g].end && groups[g].start <= groups[p].end)
          taken.push_back({groups[p].offset, groups[p].offset + groups[p].bytes});
      llvm::sort(taken);
      int64_t cursor = 0, best = -1, bestGap = INT64_MAX;
      for (auto [from, to] : taken) {
        int64_t gap = from - cursor;
        if (gap >= groups[g].bytes && gap < bestGap) {
          best = cursor;
          bestGap = gap;
        }
        cursor = std::max(cursor, to);
      }
      groups[g].offset = best >= 0 ? best : cursor;
      peak = std::max(peak, groups[g].offset + groups[g].bytes);
      placed.push_back(g);
    }
    return peak;
  }

  /// The most bytes alive at any top-level op: no plan can use less.
  int64_t lowerBound() const {
    int64_t best = 0;
    for (int64_t t = 0, n = position.size(); t < n; ++t) {
      int64_t live = 0;
      for (unsigned g = 0; g < groups.size(); ++g)
        if (isRoot(g) && groups[g].start <= t && t <= groups[g].end)
          live += groups[g].bytes;
      best = std::max(best, live);
    }
    return best;
  }

  int64_t bufferCount() const { return buffers.size(); }

  /// What a picture of the plan needs (tianc's draw_memory): per buffer
  /// (or segment) its offset, bytes and first and last top-level op, and
  /// where it comes from; the number of top-level ops. Read before
  /// rewrite() replaces the allocations.
  DictionaryAttr layout(Builder &builder) {
    SmallVector<int64_t> placements;
    SmallVector<Attribute> origins;
    for (Buffer &buffer : buffers) {
      placements.append({groups[find(buffer.group)].offset, buffer.bytes, buffer.start,
                         buffer.end});
      std::string where;
      llvm::raw_string_ostream os(where);
      buffer.alloc.getLoc().print(os);
      origins.push_back(builder.getStringAttr(where));
    }
    return builder.getDictionaryAttr({
        builder.getNamedAttr("buffers", builder.getDenseI64ArrayAttr(placements)),
        builder.getNamedAttr("origins", builder.getArrayAttr(origins)),
        builder.getNamedAttr("steps", builder.getI64IntegerAttr(position.size())),
    });
  }

  /// What the code allocates without a plan: every allocation, whole.
  int64_t naiveBytes() {
    int64_t total = 0;
    llvm::SmallPtrSet<Operation *, 16> seen;
    for (Buffer &buffer : buffers)
      if (seen.insert(buffer.alloc.getOperation()).second)
        total += buffer.bytes;
    return total;
  }

  void rewrite(func::FuncOp function, int64_t peak) {
    OpBuilder builder(&body, body.begin());
    Location loc = function.getLoc();
    auto arenaType = MemRefType::get({peak}, builder.getI8Type());
    Value arena = memref::AllocOp::create(builder, loc, arenaType,
                                          builder.getI64IntegerAttr(kAlignment));
    for (Buffer &buffer : buffers) {
      for (memref::DeallocOp dealloc : buffer.deallocs)
        dealloc.erase();
      Operation *at = buffer.segmentStart ? buffer.segmentStart : buffer.alloc.getOperation();
      builder.setInsertionPoint(at);
      Value offset = arith::ConstantIndexOp::create(builder, buffer.alloc.getLoc(),
                                                    groups[find(buffer.group)].offset);
      Value view = memref::ViewOp::create(builder, buffer.alloc.getLoc(), buffer.alloc.getType(),
                                          arena, offset, ValueRange());
      if (!buffer.segmentStart) {
        buffer.alloc.replaceAllUsesWith(view);
        buffer.alloc.erase();
        continue;
      }
      // A segment: the uses by its own ops.
      int64_t from = buffer.start, to = buffer.end;
      buffer.alloc.getResult().replaceUsesWithIf(view, [&](OpOperand &use) {
        int64_t where = position.lookup(body.findAncestorOpInBlock(*use.getOwner()));
        return from <= where && where <= to;
      });
      if (buffer.lastSegment)
        buffer.alloc.erase();
    }
    builder.setInsertionPoint(body.getTerminator());
    memref::DeallocOp::create(builder, loc, arena);
  }

private:
  /// Records the top-level ops that use `value` (a buffer or a view of it);
  /// false when the buffer escapes or is used where the plan cannot see.
  bool followUses(Value value, Buffer &buffer, bool &first, unsigned id) {
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      Operation *top = body.findAncestorOpInBlock(*user);
      if (!top)
        return false;
      if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
        if (user != top)
          return false; // a conditional free: leave the buffer alone
        buffer.deallocs.push_back(dealloc);
        continue;
      }
      // A call marked tian.no_capture (tian-block-matmuls' tile function)
      // uses its memrefs during the call only: an ordinary use.
      if (user->hasTrait<OpTrait::IsTerminator>() ||
          (isa<CallOpInterface>(user) && !user->hasAttr("tian.no_capture")))
        return false; // returned, yielded or passed on: its lifetime is not ours to see
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() != value)
          return false;
        buffer.hasViews = true;
        for (Value result : user->getResults()) {
          rootOf[result] = id;
          if (!followUses(result, buffer, first, id))
            return false;
        }
        continue;
      }
      int64_t at = position[top];
      buffer.start = first ? at : std::min(buffer.start, at);
      buffer.end = first ? at : std::max(buffer.end, at);
      first = false;
    }
    return true;
  }

  /// The in-place rule for one elementwise op at `at`.
  void shareInPlace(linalg::GenericOp op, int64_t at) {
    for (OpOperand &init : op.getDpsInitsMutable()) {
      auto out = rootOf.find(init.get());
      if (out == rootOf.end() || !init.get().getDefiningOp<memref::AllocOp>())
        continue;
      Buffer &target = buffers[out->second];
      Group &targetGroup = groups[find(target.group)];
      AffineMap outMap = op.getMatchingIndexingMap(&init);
      if (target.start != at || targetGroup.start != at || !outMap.isPermutation())
        continue;
      for (OpOperand *input : op.getDpsInputOperands()) {
        auto in = rootOf.find(input->get());
        if (in == rootOf.end() || in->second == out->second ||
            !input->get().getDefiningOp<memref::AllocOp>())
          continue;
        Buffer &source = buffers[in->second];
        unsigned sourceRoot = find(source.group);
        // Exact sizes, not the aligned ones: an f16 input and the f32 output
        // of a cast both round up to 64 bytes, but writing out[0] would
        // clobber in[1] before it is read.
        if (groups[sourceRoot].end != at ||
            tian::storageBytes(source.alloc.getType()) !=
                tian::storageBytes(target.alloc.getType()) ||
            op.getMatchingIndexingMap(input) != outMap || !onlyOperandOf(op, input, in->second))
          continue;
        // The target joins the source's group: same bytes, lifetimes chained.
        groups[sourceRoot].end = std::max(groups[sourceRoot].end, targetGroup.end);
        parent[find(target.group)] = sourceRoot;
        break;
      }
    }
  }

  /// True if no other operand of `op` reads buffer `id` (through a view
  /// with another indexing, say).
  bool onlyOperandOf(linalg::GenericOp op, OpOperand *operand, unsigned id) {
    for (OpOperand &other : op->getOpOperands()) {
      if (&other == operand)
        continue;
      auto root = rootOf.find(other.get());
      if (root != rootOf.end() && root->second == id)
        return false;
    }
    return true;
  }

  unsigned find(unsigned group) const {
    while (parent.count(group))
      group = parent.lookup(group);
    return group;
  }
  bool isRoot(unsigned group) const { return !parent.count(group); }

  Block &body;
  llvm::DenseMap<Operation *, int64_t> position;
  llvm::DenseMap<Value, unsigned> rootOf; // a buffer or a view of it -> its buffer
  SmallVector<Buffer> buffers;
  SmallVector<Group> groups;
  llvm::DenseMap<unsigned, unsigned> parent; // merged group -> the group it joined
};

struct PlanMemoryPass : public tian::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal() || !function.getBody().hasOneBlock())
      return;
    Planner planner(function);
    if (!planner.collect())
      return;
    planner.formGroups(inPlace);
    int64_t peak = planner.place();
    int64_t naive = planner.naiveBytes(), bound = planner.lowerBound();
    int64_t count = planner.bufferCount();
    Builder builder(&getContext());
    function->setAttr("tian.memory_layout", planner.layout(builder));
    planner.rewrite(function, peak);
    function->setAttr("tian.memory_plan",
                      builder.getDictionaryAttr({
                          builder.getNamedAttr("buffers", builder.getI64IntegerAttr(count)),
                          builder.getNamedAttr("lower_bound_bytes", builder.getI64IntegerAttr(bound)),
                          builder.getNamedAttr("naive_bytes", builder.getI64IntegerAttr(naive)),
                          builder.getNamedAttr("planned_peak_bytes", builder.getI64IntegerAttr(peak)),
                      }));
  }
};

} // namespace
