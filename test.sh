#!/usr/bin/env bash
# Runs every test: the lit suite (FileCheck on IR) and pytest.
set -uo pipefail
cd "$(dirname "$0")"
export PATH=$PWD/.venv/bin:$PATH
status=0

echo "==> lit (test/)"
lit -q --succinct test/ || status=1
lit --show-tests test/ 2>/dev/null | grep -c '::' | xargs echo "lit tests:"

echo "==> pytest (test/python)"
python -m pytest -q test/python "$@" || status=1

exit $status
