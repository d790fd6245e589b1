"""scripts/lint.sh (make lint / make format, CI, pre-commit) on small files.

check reports each tool's findings and changes nothing; fix applies what the
formatters can and leaves flake8's findings to be fixed by hand.
"""
import os
import subprocess
import sys

import pytest

from helpers import REPO_ROOT

# Each test runs scripts/lint.sh (flake8, isort, yapf, codespell) in a
# subprocess: slow, as other tool runs are (docs/testing.md).
pytestmark = pytest.mark.slow

LINT = os.path.join(REPO_ROOT, 'scripts', 'lint.sh')

# Unsorted imports (isort), spacing (yapf), a misspelling (codespell;
# written in two parts so that this file passes codespell) and the CBL term
# "nce", which the codespell settings accept.
TYPO = 'te' + 'h'
UNFORMATTED = '\n'.join([
    'import sys',
    'import os',
    '',
    '',
    'def f( a ):',
    f'    # {TYPO} nce term',
    '    return os.path.join(sys.executable, a)',
    '',
])
FORMATTED = '\n'.join([
    'import os',
    'import sys',
    '',
    '',
    'def f(a):',
    '    # the nce term',
    '    return os.path.join(sys.executable, a)',
    '',
])
# isort wraps this in its grid; yapf 0.43 re-wraps that after the bracket.
LONG_IMPORT = (
    'from cblseg.datasets.label_converters import (AMBIGUOUS_COLORS, '
    'color_to_train_id_map, color_to_train_ids, convert_cityscapes, '
    'convert_voc, label_id_to_train_id_map, label_ids_to_train_ids, '
    'load_voc_label, merge_sbd, rgb_to_voc_indices, voc_color_to_index_map)'
    '\n\nprint(AMBIGUOUS_COLORS, color_to_train_id_map, color_to_train_ids, '
    'convert_cityscapes, convert_voc, label_id_to_train_id_map, '
    'label_ids_to_train_ids, load_voc_label, merge_sbd, rgb_to_voc_indices, '
    'voc_color_to_index_map)\n')


def _lint(*args):
    env = dict(os.environ, PY=sys.executable)
    return subprocess.run(['bash', LINT, *args],
                          capture_output=True,
                          text=True,
                          env=env,
                          timeout=300)


def _failed_tools(proc):
    lines = [
        line for line in proc.stderr.splitlines()
        if line.startswith('[lint] FAILED:')
    ]
    assert len(lines) == 1, proc.stdout + proc.stderr
    return set(lines[0].split(':', 1)[1].split('(')[0].split())


def test_check_reports_every_tool_and_changes_nothing(tmp_path):
    path = tmp_path / 'unformatted.py'
    path.write_text(UNFORMATTED)
    proc = _lint('check', str(path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # flake8 too: E201/E202, which yapf then fixes
    assert _failed_tools(proc) == {'flake8', 'isort+yapf', 'codespell'}
    typos = [line for line in proc.stdout.splitlines() if ' ==> ' in line]
    assert typos == [f'{path}:6: {TYPO} ==> the'], proc.stdout
    assert path.read_text() == UNFORMATTED


def test_fix_formats_and_the_result_passes_check(tmp_path):
    path = tmp_path / 'unformatted.py'
    path.write_text(UNFORMATTED)
    proc = _lint('fix', str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert path.read_text() == FORMATTED
    assert _lint('check', str(path)).returncode == 0


def test_fix_then_check_passes_where_isort_and_yapf_disagree(tmp_path):
    path = tmp_path / 'long_import.py'
    path.write_text(LONG_IMPORT)
    assert _lint('fix', str(path)).returncode == 0
    fixed = path.read_text()
    assert fixed != LONG_IMPORT
    proc = _lint('check', str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert path.read_text() == fixed


def test_flake8_findings_are_left_to_fix_by_hand(tmp_path):
    path = tmp_path / 'unused.py'
    source = 'import os\n\nx = 1\n'
    path.write_text(source)
    proc = _lint('fix', str(path))
    assert proc.returncode == 1
    assert _failed_tools(proc) == {'flake8'}
    assert "F401 'os' imported but unused" in proc.stdout
    assert path.read_text() == source
