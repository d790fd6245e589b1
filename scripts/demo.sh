#!/usr/bin/env bash
# The README's main job: synthetic data -> train -> test -> pictures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=${PY:-.venv/bin/python}
CONFIG=${CONFIG:-configs/cbl/cbl-ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py}
WORK_DIR=${WORK_DIR:-work_dirs/demo}
DATA_DIR=data/synthetic
say() { printf '\n[demo] %s\n' "$*"; }

start=$(date +%s)
say "1/4 generating the synthetic datasets under $DATA_DIR (skipped when up to date)"
"$PY" tools/dataset_converters/generate_synthetic_data.py --out-dir "$DATA_DIR" --nproc 2

say "2/4 training $CONFIG into $WORK_DIR"
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
CKPT=$(cat "$WORK_DIR/last_checkpoint")

say "3/4 testing $CKPT"
"$PY" tools/test.py "$CONFIG" "$CKPT" --work-dir "$WORK_DIR/test" \
    --out "$WORK_DIR/test/predictions" 2>&1 | tee "$WORK_DIR/test.log"

say "4/4 drawing image | ground truth | prediction pictures"
"$PY" tools/analysis/visualize_predictions.py "$CONFIG" "$CKPT" \
    --out-dir "$WORK_DIR/pictures" --num-images 4

say "done in $(( $(date +%s) - start )) s. Metrics (from $WORK_DIR/test.log):"
grep -E "^[|+]" "$WORK_DIR/test.log" || true
grep -E "Iter\(test\)" "$WORK_DIR/test.log" | tail -n 1 \
    | grep -oE "(aAcc|microIoU|mIoU|mAcc|fwIoU|mBIoU|mBF@[0-9]+px): [0-9.]+" || true
cat <<MSG

[demo] where everything is:
  data         $DATA_DIR/cityscapes  (and $DATA_DIR/VOCdevkit/VOC2012,
               $DATA_DIR/ade/ADEChallengeData2016, $DATA_DIR/VOCdevkit/VOC2010)
  checkpoint   $CKPT
  train log    $WORK_DIR/<timestamp>/<timestamp>.log
  test metrics $WORK_DIR/test/<timestamp>/  and $WORK_DIR/test.log
  predictions  $WORK_DIR/test/predictions/  (index PNGs)
  pictures     $WORK_DIR/pictures/*.png  (image | ground truth | prediction)
MSG
