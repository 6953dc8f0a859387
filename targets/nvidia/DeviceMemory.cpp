//===- DeviceMemory.cpp - host buffers in GPU memory ----------------------===//
#include "targets/nvidia/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::tian {
#define GEN_PASS_DEF_DEVICEMEMORY
#include "targets/nvidia/Passes.h.inc"
} // namespace mlir::tian

using namespace mlir;

namespace {

struct DeviceMemoryPass : public tian::impl::DeviceMemoryBase<DeviceMemoryPass> {
  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal())
      return;
    SmallVector<Operation *> ops;
    function.walk([&](Operation *op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      if (isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp, memref::GetGlobalOp>(op))
        ops.push_back(op);
    });
    SmallVector<Value> uploaded;
    for (Operation *op : ops) {
      OpBuilder builder(op);
      Location loc = op->getLoc();
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        auto device = gpu::AllocOp::create(builder, loc, alloc.getType(), Type(), ValueRange(),
                                           alloc.getDynamicSizes(), alloc.getSymbolOperands(),
                                           UnitAttr());
        alloc.replaceAllUsesWith(device.getMemref());
        alloc.erase();
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        gpu::DeallocOp::create(builder, loc, Type(), ValueRange(), dealloc.getMemref());
        dealloc.erase();
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        gpu::MemcpyOp::create(builder, loc, Type(), ValueRange(), copy.getTarget(),
                              copy.getSource());
        copy.erase();
      } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        // Constants live in the host image: give the kernels a device copy.
        builder.setInsertionPointAfter(global);
        auto device = gpu::AllocOp::create(builder, loc, global.getType(), Type(), ValueRange(),
                                           ValueRange(), ValueRange(), UnitAttr());
        global.getResult().replaceAllUsesWith(device.getMemref());
        gpu::MemcpyOp::create(builder, loc, Type(), ValueRange(), device.getMemref(),
                              global.getResult());
        uploaded.push_back(device.getMemref());
      }
    }
    if (uploaded.empty())
      return;
    function.walk([&](func::ReturnOp ret) {
      OpBuilder builder(ret);
      for (Value buffer : uploaded)
        gpu::DeallocOp::create(builder, ret.getLoc(), Type(), ValueRange(), buffer);
    });
  }
};

} // namespace
