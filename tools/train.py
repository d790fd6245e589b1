"""Train a segmentor: ``python tools/train.py CONFIG [--work-dir DIR]
[--resume] [--amp] [--cfg-options k=v ...] [--launcher pytorch]``."""
import sys

try:
    from cblseg.apis import train
except ImportError as err:
    sys.exit(f'cannot import cblseg ({err}). Run `make setup` and use '
             '.venv/bin/python, or `pip install -e .` in the cblseg '
             'repository with the python that runs MMSeg.')

if __name__ == '__main__':
    train()
