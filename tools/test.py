"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [--out DIR]
[--show-dir DIR] [--tta] [--work-dir DIR] [--cfg-options k=v ...]``."""
import sys

try:
    from cblseg.apis import test
except ImportError as err:
    sys.exit(f'cannot import cblseg ({err}). Run `make setup` and use '
             '.venv/bin/python, or `pip install -e .` in the cblseg '
             'repository with the python that runs MMSeg.')

if __name__ == '__main__':
    test()
