"""A compiler pass written in Python: an algebraic rewrite on tian ops.

`x ** c` with a small whole constant exponent becomes multiplications
(x ** 2 -> x * x, x ** 3 -> x * x * x), which the elementwise fusion then
compiles into the surrounding loop; `pow` would call the power function
per element. It runs at the `tian` point: right after capture, before
tianc's own optimizations.

    python examples/plugins/python_pass.py
    tianc compile model.py --load-python-passes examples/plugins/python_pass.py \\
        --pass 'tian(power-by-multiplication{largest=4})'
"""

from mlir import ir, rewrite

import tianc as tc
from tianc.dialects import tian


@tc.passes.register("power-by-multiplication", after="tian")
def power_by_multiplication(module, *, largest=3):
    """Rewrite x ** n (n a whole splat constant, 2 <= n <= largest) as multiplications."""

    def rewrite_power(op, rewriter):
        exponent = op.operands[1].owner
        if not isinstance(exponent, ir.OpView) or exponent.operation.name != "tian.constant":
            return True  # not this pattern: a truthy result means no match
        value = ir.DenseElementsAttr(exponent.operation.attributes["value"])
        if not value.is_splat or not isinstance(value.type.element_type, ir.FloatType):
            return True
        n = ir.FloatAttr(value.get_splat_value()).value
        if n != int(n) or not 2 <= n <= largest:
            return True
        base = op.operands[0]
        if base.type != op.result.type:  # a broadcasting base: leave it to pow
            return True
        with rewriter.ip, op.location:
            product = base
            for _ in range(int(n) - 1):
                product = tian.MulOp(product, base).result
        rewriter.replace_op(op, [product])
        return False  # matched and rewritten

    patterns = rewrite.RewritePatternSet()
    patterns.add("tian.pow", rewrite_power)
    rewrite.apply_patterns_and_fold_greedily(module, patterns.freeze())


def main():
    import numpy as np

    from tianc import functional as F

    def energy(x):
        return F.pow(x, 2.0) * 0.5 + F.pow(x, 3.0)

    compiled = tc.jit.trace(energy, passes="power-by-multiplication")
    x = tc.tensor(np.linspace(-2, 2, 8, dtype=np.float32))
    print(compiled(x))
    print(compiled.ir("tian-optimized"))


if __name__ == "__main__":
    main()
