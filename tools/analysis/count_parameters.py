# Copyright (c) cblseg contributors. All rights reserved.
"""Print the parameter counts of the models of configs, per part.

    python tools/analysis/count_parameters.py CONFIG [CONFIG ...]

Builds each model on the CPU (no weights are loaded; SyncBN counts as BN)
and prints a Markdown table: config, backbone, decode head, auxiliary head,
total, and inference (total without the auxiliary head).
"""
import argparse
import os.path as osp
import sys

try:
    from cblseg.utils import count_config_parameters
except ImportError as err:
    sys.exit(f'cannot import cblseg ({err}). Run `make setup` and use '
             '.venv/bin/python.')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='+', metavar='CONFIG')
    args = parser.parse_args(argv)
    parts = ('backbone', 'decode_head', 'auxiliary_head', 'total', 'inference')
    print('| config | ' + ' | '.join(parts) + ' |')
    print('| --- |' + ' ---: |' * len(parts))
    for config in args.configs:
        if not osp.isfile(config):
            sys.exit(f'count_parameters: {config} does not exist')
        counts = count_config_parameters(config)
        cells = [f'{counts[p]:,}' if p in counts else '-' for p in parts]
        print(f'| `{osp.basename(config)}` | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
