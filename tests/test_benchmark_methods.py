"""The benchmarks' comparison implementations and runners
(cblseg.benchmarks), in process on tiny cases: every method a benchmark
times agrees with ours, edge cases included, and a planted difference is
reported. No timing checks: timings are for the docs, not for tests."""
import cv2
import numpy as np
import pytest
import torch

from cblseg.benchmarks.bf_benchmark import bf_case, run_bf_benchmark
from cblseg.benchmarks.boundary_benchmark import run_boundary_benchmark
from cblseg.benchmarks.cbl_baseline import (baseline_cbl, cbl_forward_backward,
                                            check_same, run_cbl_loss_benchmark)
from cblseg.benchmarks.cli import add_quick, add_size, parse_with_quick
from cblseg.benchmarks.compare import (forward_backward, max_relative_error,
                                       relative_error)
from cblseg.benchmarks.inputs import cbl_loss_inputs
from cblseg.benchmarks.mask_cbl import run_mask_cbl_benchmark
from cblseg.benchmarks.metric_benchmark import (assert_counts_equal,
                                                offline_throughput,
                                                run_metric_benchmark,
                                                write_folder)
from cblseg.benchmarks.peers import opencv_counts
from cblseg.benchmarks.reference_methods import (cbl_reference_counts, disk,
                                                 per_class_bf_counts,
                                                 per_class_erosion_boundary,
                                                 reference_cbl_boundary,
                                                 seg2bmap)
from cblseg.datasets.benchmark_labels import (synthetic_prediction,
                                              synthetic_street_label)
from cblseg.evaluation import boundary_counts
from cblseg.evaluation.functional import (GSCNN_TOLERANCE_RATIOS,
                                          per_image_boundary_counts)
from cblseg.models.losses import conditional_boundary_loss
from cblseg.ops import label_to_boundary

IGNORE = 255


@pytest.fixture
def keep_threads():
    """The runners set torch and OpenCV to one thread: restore them."""
    torch_threads, cv2_threads = torch.get_num_threads(), cv2.getNumThreads()
    yield
    torch.set_num_threads(torch_threads)
    cv2.setNumThreads(cv2_threads)


def _labels():
    """Small label maps: a street scene, odd sizes, one class, ignore only,
    1 pixel, a row, absent classes (only 2 and 7)."""
    rng = np.random.default_rng(0)
    odd = rng.integers(0, 4, size=(7, 11)).astype(np.uint8)
    odd[0, :3] = IGNORE
    absent = np.full((9, 9), 2, np.uint8)
    absent[3:6, 2:8] = 7
    return dict(
        street=synthetic_street_label(48, 96, seed=1),
        odd=odd,
        one_class=np.full((6, 5), 3, np.uint8),
        ignore_only=np.full((4, 6), IGNORE, np.uint8),
        one_pixel=np.zeros((1, 1), np.uint8),
        row=np.array([[0, 0, 1, 1, 1, 2]], np.uint8),
        absent=absent)


LABELS = _labels()


# --------------------------------------------------------------------------
# label -> boundary
# --------------------------------------------------------------------------
@pytest.mark.parametrize('name', sorted(LABELS))
@pytest.mark.parametrize('radius', [1, 2, 3])
def test_boundary_methods_agree_with_ours(name, radius):
    label = LABELS[name]
    ours = label_to_boundary(label, radius)
    np.testing.assert_array_equal(reference_cbl_boundary(label, radius), ours)
    np.testing.assert_array_equal(
        per_class_erosion_boundary(label, radius), ours)


def test_reference_boundary_ignore_only_and_one_class():
    # no class: every pixel is ignore
    assert (reference_cbl_boundary(LABELS['ignore_only'], 2) == IGNORE).all()
    # one class: only the band along the image border
    boundary = reference_cbl_boundary(LABELS['one_class'], 1)
    assert boundary[1:-1, 1:-1].sum() == 0
    assert boundary[0].all() and boundary[:, 0].all()


# --------------------------------------------------------------------------
# metric counts
# --------------------------------------------------------------------------
def _pairs():
    street = LABELS['street']
    yield 'street', synthetic_prediction(street, seed=1), street, 3
    odd = LABELS['odd']
    yield 'odd', np.roll(odd, 1, axis=1) % 4, odd, 2
    ignore_only = LABELS['ignore_only']
    yield 'ignore_only', np.zeros_like(ignore_only), ignore_only, 1
    one_pixel = LABELS['one_pixel']
    yield 'one_pixel', one_pixel + 1, one_pixel, 1


@pytest.mark.parametrize('name,pred,gt,radius', list(_pairs()))
def test_metric_methods_agree_with_ours(name, pred, gt, radius):
    ours = boundary_counts(
        torch.from_numpy(pred).long(),
        torch.from_numpy(gt).long(), 19, radius).counts[0].numpy()
    reference = cbl_reference_counts(pred, gt, radius)
    assert set(reference) == {'band_gt', 'band_pred', 'band_intersect'}
    assert_counts_equal(ours, reference, 'CBL reference')
    assert_counts_equal(ours, opencv_counts(pred, gt, radius), 'OpenCV')


def test_assert_counts_equal_names_the_differing_row():
    name, pred, gt, radius = next(_pairs())
    ours = boundary_counts(
        torch.from_numpy(pred).long(),
        torch.from_numpy(gt).long(), 19, radius).counts[0].numpy()
    theirs = cbl_reference_counts(pred, gt, radius)
    theirs['band_pred'][3] += 1
    with pytest.raises(AssertionError, match='planted: band_pred differs'):
        assert_counts_equal(ours, theirs, 'planted')


def test_offline_throughput_counts_every_image(tmp_path):
    labels = [synthetic_street_label(16, 32, seed=s) for s in range(2)]
    preds = [synthetic_prediction(lbl, seed=s) for s, lbl in enumerate(labels)]
    write_folder(str(tmp_path), labels, preds)
    assert len(list((tmp_path / 'gt').iterdir())) == 2
    throughput, cpu, counts = offline_throughput(str(tmp_path), 2, 1)
    assert set(throughput) == set(cpu) == set(counts) == {1}
    assert throughput[1] > 0
    with pytest.raises(AssertionError):
        offline_throughput(str(tmp_path), 3, 1)  # one image missing


# --------------------------------------------------------------------------
# per-image boundary F-score
# --------------------------------------------------------------------------
def test_seg2bmap_and_disk():
    mask = np.zeros((4, 5), bool)
    mask[1:3, 1:3] = True
    expected = np.array(
        [[1, 1, 1, 0, 0], [1, 0, 1, 0, 0], [1, 1, 1, 0, 0], [0, 0, 0, 0, 0]],
        bool)
    np.testing.assert_array_equal(seg2bmap(mask), expected)
    np.testing.assert_array_equal(
        disk(1), np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], np.uint8))
    assert disk(0).tolist() == [[1]]


@pytest.mark.parametrize('name,pred,gt,radius', list(_pairs()))
def test_per_class_bf_counts_agree_with_ours(name, pred, gt, radius):
    ratios = GSCNN_TOLERANCE_RATIOS + (0.1, )
    ours = per_image_boundary_counts(pred, gt, 19, ratios, IGNORE)
    np.testing.assert_array_equal(per_class_bf_counts(pred, gt, ratios), ours)


def test_bf_case_fills_ignore_with_class_0():
    pred, label = bf_case(64, 128)
    assert (label == IGNORE).any() and not (pred == IGNORE).any()
    other = synthetic_prediction(label, seed=0)
    # the two predictions differ only where ignore was filled
    differ = pred != other
    assert differ.any() and (pred[differ] == 0).all()


# --------------------------------------------------------------------------
# losses
# --------------------------------------------------------------------------
def test_relative_error_edge_cases():
    zero = torch.zeros(3)
    assert relative_error(zero, zero) == 0.0
    assert relative_error(torch.ones(3), zero) == float('inf')
    assert relative_error(torch.empty(0), torch.empty(0)) == 0.0
    assert relative_error(torch.tensor([1.0, 2.2]),
                          torch.tensor([1.0, 2.0])) == pytest.approx(0.1)
    errors = max_relative_error(
        dict(a=torch.ones(2), b=torch.ones(2)),
        dict(a=torch.ones(2), b=2 * torch.ones(2)))
    assert errors == dict(a=0.0, b=0.5)


def test_forward_backward_weights_and_gradients():

    def terms(x, y):
        return dict(context=x.sum(), nce=(x * y).sum(), cn=(x**2).sum())

    x, y = torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])
    out = forward_backward(terms, (x, y), ('grad', ), dict(nce=0.5, cn=2.0))
    # d/dx: 1 + 0.5 y + 4 x
    torch.testing.assert_close(out['grad'], 1 + 0.5 * y + 4 * x)
    assert float(out['nce']) == 11.0 and not x.requires_grad


@pytest.mark.parametrize('edges', ['street', 'none'])
def test_baseline_cbl_agrees_with_ours(edges):
    inputs = list(cbl_loss_inputs(2, 32, 64, 8, 2, seed=3))
    if edges == 'none':  # no boundary pixels: every term 0
        inputs[3] = torch.zeros_like(inputs[3])
    ours = cbl_forward_backward(conditional_boundary_loss, inputs)
    base = cbl_forward_backward(baseline_cbl, inputs)
    line = check_same(ours, base)
    assert line.startswith('context ') and 'max |grad diff|' in line
    if edges == 'none':
        assert all(float(ours[t]) == 0 for t in ('context', 'nce', 'cn'))
    else:
        assert all(float(ours[t]) > 0 for t in ('context', 'nce', 'cn'))
    planted = dict(base, nce=base['nce'] * 1.01 + 1e-3)
    with pytest.raises(AssertionError):
        check_same(ours, planted)


# --------------------------------------------------------------------------
# runners (what the scripts print), tiny sizes
# --------------------------------------------------------------------------
def test_run_boundary_benchmark(keep_threads):
    lines = []
    result = run_boundary_benchmark((32, 64), 1, 1, 2, log=lines.append)
    text = '\n'.join(lines)
    assert 'all methods produced identical boundary maps' in text
    assert 'ratio (b) reference / (a) ours:' in text
    assert set(result) == {
        'ours', 'reference', 'per_class', 'torch_cpu', 'reference_small',
        'cuda'
    }


def test_run_metric_benchmark(keep_threads):
    lines = []
    result = run_metric_benchmark((32, 64),
                                  1,
                                  1,
                                  folder_images=2,
                                  folder_size=(16, 32),
                                  nproc=1,
                                  log=lines.append)
    text = '\n'.join(lines)
    assert 'all methods produced identical counts' in text
    assert '(e) offline tool, --nproc 1' in text
    assert set(result['throughput']) == {1}


def test_run_bf_benchmark(keep_threads):
    lines = []
    result = run_bf_benchmark((32, 64), 1, log=lines.append)
    assert 'both methods produced identical counts' in lines
    assert lines[-1].startswith('ratio (b) / (a): ')
    assert result['ours'] > 0 and result['per_class'] > 0


def test_run_loss_benchmarks():
    lines = []
    cpu = torch.device('cpu')
    threads = torch.get_num_threads()
    ratio = run_cbl_loss_benchmark(
        cpu, (1, 32, 64, 8, 4), 1, quick=True, log=lines.append)
    assert ratio > 0 and '[cpu] same values: context' in '\n'.join(lines)
    lines.clear()
    ratio = run_mask_cbl_benchmark(
        cpu,
        dict(batch=1, size=32, dims=8, queries=4, num_classes=5, cells=6),
        1,
        quick=True,
        log=lines.append)
    assert ratio > 0 and lines[2].startswith('same values: max relative')
    assert torch.get_num_threads() == threads  # the caller's business


def test_parse_with_quick():
    import argparse
    parser = argparse.ArgumentParser()
    add_size(parser, (8, 16))
    add_quick(parser)
    assert parse_with_quick(parser, [], dict(size=(2, 4))).size == (8, 16)
    assert parse_with_quick(parser, ['--size', '3', '5']).size == [3, 5]
    assert parse_with_quick(parser, ['--quick'],
                            dict(size=(2, 4))).size == (2, 4)
