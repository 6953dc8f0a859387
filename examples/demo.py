"""tianc demo: build a small graph of tian ops from Python, then optimize it.

    .venv/bin/python examples/demo.py
"""

import numpy as np
from mlir import ir
from mlir.dialects import func
from mlir.passmanager import PassManager

import tianc  # noqa: F401  (registers the tian dialect and passes)
from tianc.dialects import tian


def f32(*shape):
    return ir.RankedTensorType.get(list(shape), ir.F32Type.get())


def main():
    ctx = ir.Context()
    with ctx, ir.Location.file(__file__, 1, 1):
        module = ir.Module.create()
        weight = np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32)
        with ir.InsertionPoint(module.body):

            @func.FuncOp.from_py_func(f32(8, 16), f32(4))
            def classifier(x, bias):
                w = tian.ConstantOp(ir.DenseElementsAttr.get(weight)).result
                # transpose twice: the canonicalizer sees through it
                wt = tian.TransposeOp(tian.TransposeOp(w, [1, 0]).result, [1, 0]).result
                logits = tian.AddOp(tian.MatmulOp(x, wt).result, bias).result
                hidden = tian.GeluOp(logits, approximate=tian.GeluApproximation.tanh).result
                return tian.SoftmaxOp(hidden, 1).result

    print("// ---- tian, as built (result types inferred) ----")
    print(module.operation.get_asm(large_elements_limit=4))
    PassManager.parse("builtin.module(func.func(tian-decompose,canonicalize,cse))", ctx).run(module.operation)
    print("// ---- after tian-decompose, canonicalize, cse ----")
    print(module.operation.get_asm(large_elements_limit=4))


if __name__ == "__main__":
    main()
