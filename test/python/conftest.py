import sys
from pathlib import Path

# The bench package (models shared by tests and benchmarks) lives at the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
