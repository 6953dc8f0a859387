# lit configuration for tianc's IR tests. Run through ./test.sh, or directly:
#   .venv/bin/lit test/
import os
import sysconfig

import lit.formats

config.name = "tianc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
root = os.path.dirname(config.test_source_root)
config.test_exec_root = os.path.join(root, "build", "test")
config.excludes = ["python", "lit.cfg.py", "Inputs"]

# tian-opt from the build; FileCheck, not and count from the LLVM wheel.
site = sysconfig.get_paths()["purelib"]
venv_site = os.path.join(root, ".venv", "lib")
llvm_bins = [os.path.join(site, "llvm", "bin")]
if os.path.isdir(venv_site):
    for entry in os.listdir(venv_site):
        llvm_bins.append(os.path.join(venv_site, entry, "site-packages", "llvm", "bin"))
path = [os.path.join(root, "build", "bin"), os.path.join(root, ".venv", "bin")]
path += [p for p in llvm_bins if os.path.isdir(p)]
config.environment["PATH"] = os.pathsep.join(path + [config.environment.get("PATH", os.environ.get("PATH", ""))])
config.environment["PYTHONPATH"] = os.path.join(root, "python")
config.substitutions.append(("%python", os.path.join(root, ".venv", "bin", "python")))
# Plugins built by tianc_add_plugin (the examples in examples/plugins).
config.substitutions.append(("%plugins", os.path.join(root, "build", "plugins")))
