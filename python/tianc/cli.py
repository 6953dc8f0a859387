"""The ``tianc`` command line.

    tianc ops            list every tian op, primitive or composite, with its summary
    tianc version        print the versions of tianc and of the MLIR it is built on
"""

import argparse
import inspect
import sys


def _tian_op_classes():
    from mlir import ir

    from .dialects import tian

    for _, cls in sorted(inspect.getmembers(tian, inspect.isclass)):
        if issubclass(cls, ir.OpView) and getattr(cls, "OPERATION_NAME", "").startswith("tian."):
            yield cls


def _summary(cls) -> str:
    doc = inspect.getdoc(cls) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def list_ops(out=sys.stdout) -> int:
    from . import ops_info

    rows = []
    for cls in _tian_op_classes():
        name = cls.OPERATION_NAME
        kind = "composite" if name in ops_info.COMPOSITES else "primitive"
        rows.append((name, kind, ops_info.SUMMARIES.get(name, _summary(cls))))
    width = max(len(r[0]) for r in rows)
    for name, kind, summary in rows:
        print(f"{name:<{width}}  {kind:<9}  {summary}", file=out)
    print(f"{len(rows)} ops", file=out)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tianc", description="tianc: a compiler-first DL framework on MLIR")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ops", help="list every tian op with its summary")
    sub.add_parser("version", help="print versions")
    args = parser.parse_args(argv)
    import tianc

    if args.command == "ops":
        return list_ops()
    if args.command == "version":
        from importlib.metadata import version

        print(f"tianc {tianc.__version__} (MLIR {version('xtc-mlir-python-bindings')})")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
