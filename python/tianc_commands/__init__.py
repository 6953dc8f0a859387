"""The `tian-opt` command of an installed tianc, kept out of the `tianc`
package so that starting it does not import tianc (numpy, the MLIR
bindings: half a second), only finds the binary the package ships and runs
it in this process's place."""

import importlib.util
import os
import sys
from pathlib import Path


def tian_opt():
    spec = importlib.util.find_spec("tianc")  # finds the package without running it
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        binary = Path(folder) / "_native" / "bin" / "tian-opt"
        if binary.exists():
            os.execv(str(binary), [str(binary), *sys.argv[1:]])
    print(f"tian-opt: the tianc package ({', '.join(folders) or 'not installed'}) has no "
          "_native/bin/tian-opt: reinstall tianc (./setup.sh)", file=sys.stderr)
    sys.exit(1)
