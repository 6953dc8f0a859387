"""What the tian dialect defines, read from its ODS records at build time."""

import json
from pathlib import Path

_INFO = json.loads((Path(__file__).parent / "dialects" / "_tian_ops_info.json").read_text())

#: every tian op name -> its one-line summary
SUMMARIES = {name: info["summary"] for name, info in _INFO.items()}
#: ops defined by a rewrite into primitives (tian-decompose)
COMPOSITES = frozenset(name for name, info in _INFO.items() if info["composite"])
#: ops that apply one scalar function per element (ElementwiseOpInterface)
ELEMENTWISE = frozenset(name for name, info in _INFO.items() if info["elementwise"])
