#!/usr/bin/env bash
# Installs everything tianc needs into .venv/ and builds it. Safe to re-run:
# each step is skipped when its inputs have not changed.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
VENV=$ROOT/.venv
BUILD=$ROOT/build
step() { printf '\n==> %s\n' "$*"; }

step "System packages (ccache, AArch64 cross toolchain, qemu-user, Graphviz)"
missing=()
command -v ccache >/dev/null || missing+=(ccache)
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
[ -d /usr/aarch64-linux-gnu/include ] || missing+=(libc6-dev-arm64-cross)
command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
command -v dot >/dev/null || missing+=(graphviz)  # traced.draw()
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}"
else
  echo "already installed"
fi

step "Python environment in .venv (pinned wheels: requirements/*.txt)"
PYTHON=${PYTHON:-python3}
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
stamp=$VENV/.requirements.sha
want=$(cat requirements/*.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r requirements/build.txt -r requirements/test.txt
  echo "$want" > "$stamp"
else
  echo "up to date"
fi
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

step "Build and install tianc into .venv (pip install -e .: scikit-build-core, CMake, Ninja, ccache)"
# An editable install: the package is python/tianc, where the build also
# puts the native extension, tian-opt and the headers plugins build
# against; pip adds the `tianc` and `tian-opt` commands.
rm -f "$SITE/tianc.pth"  # what earlier versions of this script installed instead
export PATH=$VENV/bin:$PATH
start=$(date +%s)
mkdir -p "$BUILD"
log=$BUILD/setup-build.log
# The build's progress lines as they come; the whole output in the log.
set +e
"$VENV/bin/python" -m pip install -v --no-build-isolation --no-deps -e "$ROOT" 2>&1 \
  | tee "$log" | grep --line-buffered -E '^ *(\*\*\*|\[[0-9]+/[0-9]+\]|CMake Error|FAILED)'
built=${PIPESTATUS[0]}
set -e
if [ "$built" -ne 0 ]; then
  tail -40 "$log"
  echo "setup.sh: building tianc failed; the whole output is in $log" >&2
  exit 1
fi
echo "build took $(( $(date +%s) - start )) s"
# The binary itself in place of pip's Python launcher of it (which starts
# in 0.1 s): the fuzz tests run tian-opt hundreds of times.
ln -sf "$ROOT/python/tianc/_native/bin/tian-opt" "$VENV/bin/tian-opt"
"$VENV/bin/python" -c "import tianc; print('tianc', tianc.__version__, 'ready')"
