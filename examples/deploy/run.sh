#!/usr/bin/env bash
# Train the digits CNN, compile it for AArch64, link a C program against it
# and run that program under qemu: no Python on the "device".
#   examples/deploy/run.sh [aarch64-linux-gnu | x86_64-linux-gnu]
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
PY=$ROOT/.venv/bin/python
TARGET=${1:-aarch64-linux-gnu}
WORK=${WORK:-$PWD/build}
mkdir -p "$WORK"

echo "==> train (eager tianc), save the weights"
[ -f "$WORK/digits_cnn.npz" ] || "$PY" ../train_digits.py --epochs 8 --save "$WORK/digits_cnn.npz"

echo "==> compile for $TARGET"
DIGITS_WEIGHTS="$WORK/digits_cnn.npz" "$ROOT/.venv/bin/tianc" compile digits_model.py \
  --name digits --target "$TARGET" -o "$WORK/$TARGET"

echo "==> the test images, as raw files for the C program"
"$PY" - "$WORK" <<'PYEOF'
import sys, numpy as np
sys.path.insert(0, "..")
from train_digits import load
_, (images, labels) = load()
images.astype(np.float32).tofile(f"{sys.argv[1]}/images.bin")
labels.astype(np.int64).tofile(f"{sys.argv[1]}/labels.bin")
PYEOF

echo "==> link classify.c and run it"
OUT=$WORK/$TARGET
if [ "$TARGET" = aarch64-linux-gnu ]; then
  aarch64-linux-gnu-gcc -std=c11 -O2 -I"$OUT" classify.c "$OUT/digits.o" -lm -o "$WORK/classify-aarch64"
  file "$WORK/classify-aarch64" | cut -d, -f1-2
  qemu-aarch64 -L /usr/aarch64-linux-gnu "$WORK/classify-aarch64" "$OUT/digits.tcw" "$WORK/images.bin" "$WORK/labels.bin"
else
  cc -std=c11 -O2 -I"$OUT" classify.c "$OUT/digits.o" -lm -o "$WORK/classify"
  "$WORK/classify" "$OUT/digits.tcw" "$WORK/images.bin" "$WORK/labels.bin"
fi
