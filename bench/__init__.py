"""tianc's benchmarks: ``.venv/bin/python -m bench [--quick] [--json FILE]``."""
