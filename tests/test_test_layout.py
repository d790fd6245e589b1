# Copyright (c) cblseg contributors. All rights reserved.
"""Rules of the test suite itself (docs/testing.md): shared code lives in
``tests/helpers``, never in another test module or ``conftest``; the demo
config constant names what ``make demo`` runs; the inner loop's marker is
registered."""
import ast
import glob
import os.path as osp
import re

from helpers import CBL_DEMO_CONFIG, DEMO_BASELINE_CONFIG, REPO_ROOT

TESTS = osp.join(REPO_ROOT, 'tests')


def _imported_modules(path):
    with open(path, encoding='utf-8') as file:
        tree = ast.parse(file.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not \
                node.level:
            yield node.lineno, node.module.split('.')[0]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split('.')[0]


def test_no_test_module_imports_conftest_or_another_test_module():
    files = glob.glob(osp.join(TESTS, '*.py')) + glob.glob(
        osp.join(TESTS, 'helpers', '*.py'))
    assert len(files) > 10
    bad = [
        f'{osp.relpath(path, REPO_ROOT)}:{line} imports {module}'
        for path in sorted(files) for line, module in _imported_modules(path)
        if module == 'conftest' or module.startswith('test_')
    ]
    assert not bad, ('move what is shared to tests/helpers and import it '
                     'from there: ' + '; '.join(bad))


def test_cbl_demo_config_is_what_make_demo_runs():
    with open(osp.join(REPO_ROOT, 'scripts', 'demo.sh')) as file:
        default = re.search(r'^CONFIG=\$\{CONFIG:-(\S+)\}$', file.read(),
                            re.M).group(1)
    assert osp.join(REPO_ROOT, default) == CBL_DEMO_CONFIG
    # the baseline is the same file name without the CBL prefix
    assert osp.basename(
        CBL_DEMO_CONFIG) == 'cbl-' + osp.basename(DEMO_BASELINE_CONFIG)
    assert osp.isfile(DEMO_BASELINE_CONFIG)


def test_slow_marker_is_registered(pytestconfig):
    markers = pytestconfig.getini('markers')
    assert any(line.startswith('slow:') for line in markers), markers
