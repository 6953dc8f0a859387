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

step "Configure and build (CMake + Ninja + ccache)"
export PATH=$VENV/bin:$PATH
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR="$SITE/mlir/lib/cmake/mlir" \
    -DLLVM_DIR="$SITE/llvm/lib/cmake/llvm" \
    -DMLIR_LINK_MLIR_DYLIB=ON \
    -DPython3_EXECUTABLE="$VENV/bin/python"
fi
start=$(date +%s)
cmake --build "$BUILD"
echo "build took $(( $(date +%s) - start )) s"

step "Install tianc into .venv"
# An in-place (editable) install: the package is python/tianc, with its
# native extension built into python/tianc/_native.
echo "$ROOT/python" > "$SITE/tianc.pth"
ln -sf "$BUILD/bin/tian-opt" "$VENV/bin/tian-opt"
cat > "$VENV/bin/tianc" <<EOS
#!/usr/bin/env bash
exec "$VENV/bin/python" -m tianc.cli "\$@"
EOS
chmod +x "$VENV/bin/tianc"
"$VENV/bin/python" -c "import tianc; print('tianc', tianc.__version__, 'ready')"
