"""tianc: a compiler-first deep-learning framework on MLIR.

Importing tianc makes the ``tian`` dialect and tianc's passes known to every
``mlir.ir.Context`` created afterwards, and to ``mlir.passmanager``.
"""

from . import _mlir_setup as _mlir_setup  # noqa: F401  (registers tian)

__version__ = "0.1.0"
