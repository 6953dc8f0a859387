"""Python builders for tian ops, generated from dialects/tian/TianOps.td.

    from mlir import ir
    from tianc.dialects import tian
    y = tian.AddOp(a, b).result   # result type inferred
"""

from ._tian_ops_gen import *  # noqa: F401,F403
from ._tian_enum_gen import *  # noqa: F401,F403
