# Copyright (c) cblseg contributors. All rights reserved.
"""Every config under configs/ (``_base_`` files included) loads to the same
dict as when the snapshot was taken: a refactor of the configs (a shared
base, a ``{{_base_.x}}`` reference) must not change what a config means.

The snapshot is one sha256 per config (tests/data/config_snapshots.json) of
``Config.fromfile(path).to_dict()`` written canonically (json, sorted keys,
tuples tagged so that they stay apart from lists). When a config changes on
purpose, or one is added, regenerate the snapshot and commit it with the
change::

    PYTHONPATH=$PWD python tests/test_config_snapshots.py --write

``python tests/test_config_snapshots.py --dump DIR`` writes each canonical
dict to DIR to see what differs (``diff -r`` two dumps).

The per-config test is marked slow: loading the 60-odd configs takes about
30 s on 2 cores (most of it mmengine resolving the ``mmseg::`` bases).
"""
import glob
import hashlib
import json
import os.path as osp
import sys

import pytest
from mmengine.config import Config

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')
SNAPSHOT = osp.join(REPO_ROOT, 'tests', 'data', 'config_snapshots.json')
CONFIGS = sorted(
    osp.relpath(path, CONFIG_ROOT)
    for path in glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'), recursive=True))


def _tagged(value):
    """The value with tuples marked (json would write them as lists) and
    dict keys as strings (json would fail on other keys)."""
    if isinstance(value, dict):
        return {str(key): _tagged(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return {'__tuple__': [_tagged(item) for item in value]}
    if isinstance(value, list):
        return [_tagged(item) for item in value]
    return value


def canonical_config(rel_path):
    """The config's dict as canonical json text."""
    cfg = Config.fromfile(osp.join(CONFIG_ROOT, rel_path))
    return json.dumps(
        _tagged(cfg.to_dict()), sort_keys=True, indent=1, default=repr)


def config_digest(rel_path):
    return hashlib.sha256(canonical_config(rel_path).encode()).hexdigest()


def _load_snapshot():
    with open(SNAPSHOT, encoding='utf-8') as f:
        return json.load(f)


def test_snapshot_lists_every_config():
    assert sorted(_load_snapshot()) == CONFIGS, (
        f'configs added or removed: regenerate {SNAPSHOT} '
        '(see the module docstring)')


@pytest.mark.slow
@pytest.mark.parametrize('rel_path', CONFIGS)
def test_config_dict_is_unchanged(rel_path):
    expected = _load_snapshot().get(rel_path)
    assert config_digest(rel_path) == expected, (
        f'configs/{rel_path} now loads to another dict; if that is meant, '
        f'regenerate {SNAPSHOT} (see the module docstring)')


def main(argv):
    if argv[:1] == ['--write']:
        digests = {rel: config_digest(rel) for rel in CONFIGS}
        with open(SNAPSHOT, 'w', encoding='utf-8') as f:
            json.dump(digests, f, indent=1, sort_keys=True)
            f.write('\n')
        print(f'wrote {len(digests)} digests to {SNAPSHOT}')
    elif argv[:1] == ['--dump'] and len(argv) == 2:
        import os
        for rel in CONFIGS:
            out = osp.join(argv[1], rel + '.json')
            os.makedirs(osp.dirname(out), exist_ok=True)
            with open(out, 'w', encoding='utf-8') as f:
                f.write(canonical_config(rel))
        print(f'dumped {len(CONFIGS)} configs to {argv[1]}')
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
