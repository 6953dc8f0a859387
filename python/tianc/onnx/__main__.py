"""python -m tianc.onnx DOC.md: rewrites the supported-op table in DOC.md."""

import sys
from pathlib import Path

from . import TABLE_BEGIN, TABLE_END, ops_table


def main(argv):
    if len(argv) != 1:
        print("usage: python -m tianc.onnx docs/onnx.md", file=sys.stderr)
        return 2
    path = Path(argv[0])
    text = path.read_text()
    begin, end = text.index(TABLE_BEGIN) + len(TABLE_BEGIN), text.index(TABLE_END)
    path.write_text(text[:begin] + "\n" + ops_table() + "\n" + text[end:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
