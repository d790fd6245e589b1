#!/usr/bin/env bash
# Creates ./.venv with the pinned stack. Idempotent: a second run on the same
# machine only checks versions (mmcv comes from a wheel cache keyed by python,
# torch and mmcv versions).
#
# Environment knobs:
#   PYTHON=python3.11        interpreter used to create the venv
#   VENV=.venv               where the venv lives
#   CBLSEG_CACHE=~/.cache/cblseg   where built mmcv wheels are cached
#   CBLSEG_SYSTEM_SITE=1     create the venv with --system-site-packages so an
#                            already-installed (e.g. CUDA) torch is reused
set -euo pipefail

TORCH_VERSION=2.13.0
MMENGINE_VERSION=0.10.7
MMCV_VERSION=2.1.0
MMSEG_VERSION=1.2.2
MMDET_VERSION=3.3.0

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
VENV="${VENV:-$ROOT/.venv}"
CACHE="${CBLSEG_CACHE:-$HOME/.cache/cblseg}"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found. Install Python 3.11 or set PYTHON=/path/to/python3.11."

if [ ! -x "$VENV/bin/python" ]; then
    venv_args=()
    if [ "${CBLSEG_SYSTEM_SITE:-0}" = 1 ]; then
        venv_args+=(--system-site-packages)
        say "creating $VENV with --system-site-packages (reusing the system torch)"
    else
        say "creating $VENV"
    fi
    "$PYTHON" -m venv "${venv_args[@]}" "$VENV" || die "could not create a venv with $PYTHON (on Debian: apt-get install python3-venv)"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check -q)

have() {  # have DIST VERSION -> 0 if that exact version is installed
    "$PY" - "$1" "$2" <<'PYEOF' 2>/dev/null
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    v = version(sys.argv[1])
except PackageNotFoundError:
    sys.exit(1)
sys.exit(0 if v.split('+')[0] == sys.argv[2] else 1)
PYEOF
}

# mmengine resolves `mmseg::` configs through pkg_resources, which setuptools
# dropped in 81; torch 2.13 asks for setuptools>=77. The pin goes into the
# constraints of every install so no dependency moves it.
CONSTRAINTS="$VENV/cblseg-constraints.txt"
echo "setuptools<81" > "$CONSTRAINTS"
if ! "$PY" -c 'import pkg_resources, wheel, ninja' >/dev/null 2>&1; then
    say "installing build tools (setuptools<81, wheel, ninja)"
    "${PIP[@]}" install -c "$CONSTRAINTS" --upgrade "setuptools<81" wheel ninja || die "could not install build tools"
fi

# mmengine and mmcv declare opencv-python (the GUI build); we use the headless
# one, so they go in with --no-deps and their other requirements come from
# requirements/runtime.txt. Before torch, which warns at import without numpy.
if ! have mmengine "$MMENGINE_VERSION" || ! "$PY" -c 'import cv2, scipy, prettytable, rich' >/dev/null 2>&1; then
    say "installing mmengine==$MMENGINE_VERSION and runtime requirements"
    "${PIP[@]}" install -c "$CONSTRAINTS" -r requirements/runtime.txt \
        || die "could not install the runtime requirements (requirements/runtime.txt)"
    "${PIP[@]}" install -c "$CONSTRAINTS" --no-deps "mmengine==$MMENGINE_VERSION" \
        || die "could not install mmengine==$MMENGINE_VERSION"
fi

# torch: keep any torch already present (a CUDA build on a GPU node); never let
# a dependency pull a newer one.
if "$PY" -c 'import torch' >/dev/null 2>&1; then
    TORCH_HAVE=$("$PY" -c 'import torch; print(torch.__version__)')
    say "torch $TORCH_HAVE already installed, keeping it"
else
    say "installing torch==$TORCH_VERSION"
    "${PIP[@]}" install -c "$CONSTRAINTS" "torch==$TORCH_VERSION" || die "could not install torch==$TORCH_VERSION"
fi
TORCH_HAVE=$("$PY" -c 'import torch; print(torch.__version__)')
echo "torch==$TORCH_HAVE" >> "$CONSTRAINTS"

# mmcv with ops: a cached wheel if we built one before, else build from the sdist.
PYTAG=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
KEY="${PYTAG}-torch${TORCH_HAVE}-mmcv${MMCV_VERSION}"
WHEELDIR="$CACHE/wheels/$KEY"
if have mmcv "$MMCV_VERSION" && "$PY" -c 'import mmcv.ops' >/dev/null 2>&1; then
    say "mmcv $MMCV_VERSION with ops already installed"
else
    if ! ls "$WHEELDIR"/mmcv-"$MMCV_VERSION"-*.whl >/dev/null 2>&1; then
        say "no cached mmcv wheel for $KEY: building mmcv $MMCV_VERSION with ops from source."
        say "this takes about 10 minutes on 2 cores; the wheel is cached in $WHEELDIR for next time"
        mkdir -p "$WHEELDIR.partial"
        # mmcv 2.1.0's setup.py needs setuptools<70; torch only needs the newer
        # one at run time, so downgrade for the build and restore afterwards.
        SETUPTOOLS_HAVE=$("$PY" -c 'from importlib.metadata import version; print(version("setuptools"))')
        "${PIP[@]}" install "setuptools<70" 2>/dev/null || die "could not install setuptools<70 for the mmcv build"
        MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
            "${PIP[@]}" wheel --no-build-isolation --no-deps --no-binary mmcv \
            -w "$WHEELDIR.partial" "mmcv==$MMCV_VERSION" \
            || die "building mmcv $MMCV_VERSION failed (needs gcc/g++ and the Python headers; see the log above)"
        "${PIP[@]}" install "setuptools==$SETUPTOOLS_HAVE" || die "could not restore setuptools==$SETUPTOOLS_HAVE"
        mkdir -p "$WHEELDIR"
        mv "$WHEELDIR.partial"/mmcv-*.whl "$WHEELDIR"/
        rm -rf "$WHEELDIR.partial"
    else
        say "using cached mmcv wheel from $WHEELDIR"
    fi
    "${PIP[@]}" install -c "$CONSTRAINTS" --no-deps "$WHEELDIR"/mmcv-"$MMCV_VERSION"-*.whl \
        || die "could not install the mmcv wheel from $WHEELDIR"
fi

if ! have mmsegmentation "$MMSEG_VERSION"; then
    say "installing mmsegmentation==$MMSEG_VERSION"
    "${PIP[@]}" install -c "$CONSTRAINTS" --no-deps "mmsegmentation==$MMSEG_VERSION" \
        || die "could not install mmsegmentation==$MMSEG_VERSION"
fi

# mmdet: MMSeg's Mask2Former / MaskFormer heads (and the CBL mask heads) are
# built on it. --no-deps so that nothing already installed moves; what it
# needs at import comes from requirements/mask.txt.
if ! have mmdet "$MMDET_VERSION" || ! "$PY" -c 'import pycocotools, shapely, six, terminaltables' >/dev/null 2>&1; then
    say "installing mmdet==$MMDET_VERSION (Mask2Former / MaskFormer heads)"
    "${PIP[@]}" install -c "$CONSTRAINTS" -r requirements/mask.txt \
        || die "could not install mmdet's requirements (requirements/mask.txt)"
    "${PIP[@]}" install -c "$CONSTRAINTS" --no-deps "mmdet==$MMDET_VERSION" \
        || die "could not install mmdet==$MMDET_VERSION"
fi

if [ "${CBLSEG_WITH_TESTS:-0}" = 1 ] && ! "$PY" -c 'import pytest, xdist, cityscapesscripts' >/dev/null 2>&1; then
    say "installing test requirements"
    "${PIP[@]}" install -c "$CONSTRAINTS" -r requirements/tests.txt || die "could not install test requirements"
fi

# The linters (make lint / make format, CI): exactly the versions pinned in
# requirements/lint.txt, since another formatter version formats differently.
lint_pins_installed() {
    local name version
    while read -r name version; do
        have "$name" "$version" || return 1
    done < <(sed -n 's/^\([A-Za-z0-9_.-]*\)==\([^ #]*\).*/\1 \2/p' requirements/lint.txt)
}
if [ "${CBLSEG_WITH_TESTS:-0}" = 1 ] && ! lint_pins_installed; then
    say "installing the linters (requirements/lint.txt)"
    "${PIP[@]}" install -c "$CONSTRAINTS" -r requirements/lint.txt || die "could not install the linters (requirements/lint.txt)"
fi

# cblseg itself, editable, so the checkout is what runs.
# Checked from / so that the checkout itself is not on sys.path.
if ! (cd / && "$PY" -c 'import cblseg, sys; sys.exit(0 if cblseg.__file__.startswith(sys.argv[1]) else 1)' "$ROOT") >/dev/null 2>&1; then
    say "installing cblseg (editable)"
    "${PIP[@]}" install -c "$CONSTRAINTS" --no-deps --no-build-isolation -e . || die "could not install cblseg"
fi

(cd / && "$PY" - <<'PYEOF') || die "the installed stack does not import; see the error above"
import torch, mmcv, mmcv.ops, mmengine, mmseg, mmdet, mmdet.models, cblseg
print(f"[setup] ok: torch {torch.__version__}, mmcv {mmcv.__version__}, "
      f"mmengine {mmengine.__version__}, mmseg {mmseg.__version__}, "
      f"mmdet {mmdet.__version__}, cblseg {cblseg.__version__}")
PYEOF
