import sys
from pathlib import Path

# The bench package (models shared by tests and benchmarks) lives at the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import os
import tempfile

# Tests compile into their own cache, never the user's.
os.environ.setdefault("TIANC_CACHE_DIR", tempfile.mkdtemp(prefix="tianc-test-cache-"))
