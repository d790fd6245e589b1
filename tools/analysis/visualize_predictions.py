"""Write image | ground truth | prediction pictures for a trained model.

python tools/analysis/visualize_predictions.py CONFIG CHECKPOINT \
    --out-dir DIR [--num-images 4] [--device cpu] [--split test]
"""
import argparse

from cblseg.visualization import save_prediction_panels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--num-images', type=int, default=4)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--split', default='test', choices=['test', 'val'])
    args = parser.parse_args()
    paths = save_prediction_panels(args.config, args.checkpoint, args.out_dir,
                                   args.num_images, args.device, args.split)
    for path in paths:
        print(path)


if __name__ == '__main__':
    main()
