"""The package's import graph: no cycles, and the layers of
docs/architecture.md (each subpackage imports only the layers below it;
pictures depend on data and evaluation, never the other way round).

The graph is read from the source with ``ast`` (no import is run): every
``import`` and ``from ... import`` of a ``cblseg`` module, at module level
or inside a function, is an edge to the module it names (``from pkg import
name`` goes to ``pkg.name`` when that is a module, else to ``pkg``).
"""
import ast
import os
import os.path as osp

import pytest

from helpers import REPO_ROOT

PACKAGE = 'cblseg'

#: The subpackages each subpackage may import (docs/architecture.md); the
#: package's plain top-level modules (``cblseg/version.py``...) are open to
#: all, the package itself (``import cblseg``, which imports everything) to
#: none.
LAYERS = {
    'ops': (),
    'utils': ('ops', ),
    'models': ('ops', 'utils'),
    'datasets': ('ops', 'utils'),
    'evaluation': ('ops', 'utils', 'datasets'),
    'visualization': ('ops', 'utils', 'datasets', 'evaluation'),
    'apis': ('ops', 'utils', 'datasets', 'models', 'evaluation'),
    'benchmarks': ('ops', 'utils', 'datasets', 'models', 'evaluation', 'apis'),
}


def _module_name(path, root):
    relative = osp.relpath(path, root)[:-len('.py')].split(os.sep)
    if relative[-1] == '__init__':
        relative = relative[:-1]
    return '.'.join(relative)


def package_modules(root=REPO_ROOT):
    """``{module name: path}`` of every ``cblseg/**/*.py``."""
    modules = {}
    for directory, dirs, files in os.walk(osp.join(root, PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        for name in sorted(files):
            if name.endswith('.py'):
                path = osp.join(directory, name)
                modules[_module_name(path, root)] = path
    return modules


def _known_prefix(name, modules):
    """The longest prefix of the dotted ``name`` that is a package
    module."""
    parts = name.split('.')
    while parts:
        candidate = '.'.join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(module, path, modules):
    """``{imported cblseg module: first line}`` of one module."""
    with open(path) as file:
        tree = ast.parse(file.read(), path)
    is_package = path.endswith('__init__.py')
    found = {}

    def add(name, line):
        target = _known_prefix(name, modules)
        if target is not None and target != module:
            found.setdefault(target, line)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split('.')
                if not is_package:
                    base = base[:-1]
                base = base[:len(base) - (node.level - 1)]
                full = '.'.join(base + ([node.module] if node.module else []))
            else:
                full = node.module or ''
            for alias in node.names:
                submodule = f'{full}.{alias.name}'
                add(submodule if submodule in modules else full, node.lineno)
    return found


def import_graph(root=REPO_ROOT):
    modules = package_modules(root)
    return {
        module: imports_of(module, path, modules)
        for module, path in modules.items()
    }


def find_cycles(graph):
    """Every cycle found by a depth-first search, each as a list of modules
    (first == last); empty when the graph has none."""
    cycles, state, stack = [], {}, []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 'open':
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 'done'

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def _describe(cycle, graph):
    return ' -> '.join(
        f'{a} (line {graph[a][b]})' for a, b in zip(cycle, cycle[1:])) + \
        f' -> {cycle[-1]}'


def test_graph_reader_sees_every_kind_of_import(tmp_path):
    """The reader itself: relative, absolute, function-level and
    ``from package import submodule`` imports are edges; the cycle finder
    reports a cycle and nothing in a tree without one."""
    pkg = tmp_path / PACKAGE
    (pkg / 'data').mkdir(parents=True)
    (pkg / 'pictures').mkdir()
    (pkg / '__init__.py').write_text('')
    (pkg / 'data' / '__init__.py').write_text('from .samples import load\n')
    (pkg / 'data' / 'samples.py').write_text(
        'import numpy\n\ndef load():\n'
        '    from cblseg.pictures import grid\n')
    (pkg / 'pictures' / '__init__.py').write_text('')
    (pkg / 'pictures' / 'grid.py').write_text(
        'from ..data import samples\nimport cblseg.data.samples as s\n')
    graph = import_graph(str(tmp_path))
    assert graph['cblseg.data'] == {'cblseg.data.samples': 1}
    assert graph['cblseg.data.samples'] == {'cblseg.pictures.grid': 4}
    assert graph['cblseg.pictures.grid'] == {'cblseg.data.samples': 1}
    assert find_cycles(graph) == [[
        'cblseg.data.samples', 'cblseg.pictures.grid', 'cblseg.data.samples'
    ]]
    (pkg / 'data' / 'samples.py').write_text('import numpy\n')
    assert find_cycles(import_graph(str(tmp_path))) == []


def test_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 50  # the whole package was read
    cycles = find_cycles(graph)
    assert not cycles, 'import cycles:\n' + '\n'.join(
        _describe(cycle, graph) for cycle in cycles)


@pytest.mark.parametrize('lower', ['cblseg.datasets', 'cblseg.evaluation'])
def test_data_and_evaluation_never_import_pictures(lower):
    graph = import_graph()
    offending = [
        f'{module} imports {target} (line {line})'
        for module, targets in sorted(graph.items())
        if module == lower or module.startswith(lower + '.')
        for target, line in sorted(targets.items())
        if target == 'cblseg.visualization'
        or target.startswith('cblseg.visualization.')
    ]
    assert not offending, '\n'.join(offending)


def _subpackage(module, modules):
    """``'ops'`` for ``cblseg.ops.boundary``; None for the package itself
    and its plain top-level modules."""
    parts = module.split('.')
    if len(parts) < 2 or not modules[module].endswith('__init__.py') and \
            len(parts) == 2:
        return None
    return parts[1]


def layer_violations(graph, modules):
    """``'<module> imports <target> (line n)'`` for every import that
    :data:`LAYERS` does not allow."""
    found = []
    for module, targets in sorted(graph.items()):
        layer = _subpackage(module, modules)
        if layer is None:
            continue  # cblseg/__init__.py registers everything
        allowed = set(LAYERS.get(layer, ())) | {layer}
        for target, line in sorted(targets.items()):
            target_layer = _subpackage(target, modules)
            if target == PACKAGE or (target_layer is not None
                                     and target_layer not in allowed):
                found.append(f'{module} imports {target} (line {line})')
    return found


def test_layers():
    """Every subpackage is in the table, and each imports only what the
    table allows (also inside functions)."""
    modules = package_modules()
    graph = import_graph()
    subpackages = {_subpackage(m, modules) for m in modules} - {None}
    assert subpackages == set(LAYERS), 'add the new subpackage to LAYERS'
    violations = layer_violations(graph, modules)
    assert not violations, '\n'.join(violations)


def test_layer_check_can_fail():
    """A picture import in the metric code, or ``import cblseg`` in a
    subpackage, is reported."""
    modules = package_modules()
    graph = {
        'cblseg.evaluation.offline': {
            'cblseg.visualization.boundary_grid': 3,
            'cblseg.version': 4
        },
        'cblseg.datasets.dataset_check': {
            'cblseg': 9
        },
        'cblseg': {
            'cblseg.apis': 1
        },
    }
    assert layer_violations(graph, modules) == [
        'cblseg.datasets.dataset_check imports cblseg (line 9)',
        'cblseg.evaluation.offline imports '
        'cblseg.visualization.boundary_grid (line 3)'
    ]
