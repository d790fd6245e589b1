#!/usr/bin/env bash
# The lint commands, one place for all their callers: `make lint` (check),
# `make format` (fix), .ci/run (check, before the tests) and
# .pre-commit-config.yaml (fix, on the staged files).
#
#   bash scripts/lint.sh [check|fix] [FILE...]
#
# check (default): flake8, isort + yapf, codespell; changes nothing, prints
#     every finding (a diff for isort + yapf), exits 1 if any.
# fix: isort then yapf rewrite the Python files, codespell --write-changes
#     fixes the misspellings it is sure of; then check runs (flake8 findings
#     and ambiguous misspellings are fixed by hand).
#
# isort+yapf is one step: a file passes when isort then yapf leave it as
# it is. yapf 0.43 re-wraps some of isort's long `from x import (...)`
# lists, so checking the two tools one by one would fail on what fix wrote.
# Every tool reads setup.cfg of this checkout ([flake8], [isort], [yapf],
# [codespell]), wherever the files are; versions: requirements/lint.txt.
# Files: the FILEs given, else every file git tracks or would track (so
# .venv/, data/ and work_dirs/ are left out); Python tools get the *.py
# among them, codespell all of them.
# Environment: PY=python with the linters (default: .venv/bin/python if
# there, else python3).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -z "${PY:-}" ]; then
    if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi

MODE=check
case "${1:-}" in
    check | fix) MODE=$1; shift ;;
    -h | --help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"
                 exit 0 ;;
esac

missing=$("$PY" - <<'PYEOF'
import importlib.util
mods = ('flake8', 'isort', 'yapf', 'codespell_lib')
print(' '.join(m for m in mods if importlib.util.find_spec(m) is None))
PYEOF
)
if [ -n "$missing" ]; then
    echo "[lint] ERROR: $PY lacks: $missing. Install the pinned linters:" \
        "$PY -m pip install -r requirements/lint.txt (make setup does)" >&2
    exit 2
fi

FILES=()
if [ $# -gt 0 ]; then
    FILES=("$@")
elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    while IFS= read -r -d '' f; do
        [ -f "$f" ] && FILES+=("$f")
    done < <(git ls-files -z --cached --others --exclude-standard)
else
    echo "[lint] ERROR: not a git checkout; name the files to lint" >&2
    exit 2
fi
PY_FILES=()
for f in ${FILES[@]+"${FILES[@]}"}; do
    case "$f" in *.py) PY_FILES+=("$f") ;; esac
done

isort_yapf() {  # isort_yapf check|fix FILE...: isort then yapf, per file
    "$PY" - "$ROOT" "$@" <<'PYEOF'
import difflib
import sys
from pathlib import Path

import isort
from yapf.yapflib.yapf_api import FormatCode

root, mode, paths = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
config = isort.Config(settings_path=str(root))
style = str(root / 'setup.cfg')
changed = []
for path in paths:
    with open(path, encoding='utf-8', newline='') as f:
        source = f.read()
    try:
        result, _ = FormatCode(
            isort.code(source, config=config, file_path=Path(path)),
            style_config=style)
    except Exception as exc:  # a syntax error, named with its file
        sys.exit(f'[lint] isort + yapf cannot read {path}: {exc}')
    if result == source:
        continue
    changed.append(path)
    if mode == 'fix':
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write(result)
    else:
        sys.stdout.writelines(
            difflib.unified_diff(
                source.splitlines(True), result.splitlines(True),
                f'{path} (now)', f'{path} (isort + yapf)'))
if mode == 'fix':
    print(f'[lint] isort + yapf rewrote {len(changed)} files')
sys.exit(1 if changed and mode == 'check' else 0)
PYEOF
}

failed=()
run() {  # run NAME CMD...: run a tool, remember it if it failed
    local name=$1
    shift
    if ! "$@"; then
        failed+=("$name")
    fi
}

if [ "$MODE" = fix ]; then
    echo "[lint] fixing ${#PY_FILES[@]} Python files, ${#FILES[@]} files in all"
    if [ ${#PY_FILES[@]} -gt 0 ]; then
        isort_yapf fix "${PY_FILES[@]}" || exit 1
    fi
    if [ ${#FILES[@]} -gt 0 ]; then
        # fixes the misspellings with one suggestion; exits non-zero if it
        # found any, and the check below reports those it could not fix
        "$PY" -m codespell_lib --write-changes "${FILES[@]}" >/dev/null || true
    fi
fi

echo "[lint] checking ${#PY_FILES[@]} Python files, ${#FILES[@]} files in all"
if [ ${#PY_FILES[@]} -gt 0 ]; then
    run flake8 "$PY" -m flake8 --config setup.cfg "${PY_FILES[@]}"
    run isort+yapf isort_yapf check "${PY_FILES[@]}"
fi
if [ ${#FILES[@]} -gt 0 ]; then
    run codespell "$PY" -m codespell_lib "${FILES[@]}"
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "[lint] FAILED: ${failed[*]} (see above). \`make format\` applies" \
        "isort, yapf and codespell's sure fixes; flake8 findings are fixed" \
        "by hand." >&2
    exit 1
fi
echo "[lint] ok: flake8, isort+yapf, codespell"
