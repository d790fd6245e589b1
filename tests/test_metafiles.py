# Copyright (c) cblseg contributors. All rights reserved.
"""The model-zoo metadata MIM reads: model-index.yml and one
configs/<family>/metafile.yaml per model family, in MMSeg 1.x's schema.

Every folder under configs/ that has a metafile.yaml must list each of its
configs exactly once (a new config without an entry fails here); results
must say whose they are, and MMSeg's must equal MMSeg's own metafile."""
import collections
import glob
import os.path as osp
import shutil

import mmseg
import pytest
import yaml

from helpers import REPO_ROOT

MMSEG_CONFIGS = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs')
METAFILES = sorted(
    osp.relpath(path, REPO_ROOT) for path in glob.glob(
        osp.join(REPO_ROOT, 'configs', '*', 'metafile.yaml')))

COLLECTION_KEYS = {
    'Name', 'License', 'Metadata', 'Paper', 'README', 'Frameworks'
}
MODEL_REQUIRED = {
    'Name', 'In Collection', 'Config', 'Metadata', 'Paper', 'Code', 'Framework'
}
# 'Weights' and 'Training log' are deliberately absent: we ship none.
MODEL_OPTIONAL = {
    'Results', 'Results Source', 'Baseline Config', 'Baseline Paper'
}
RESULT_SOURCES = ('CBL authors:', 'MMSeg model zoo:')


def _load(path):
    with open(osp.join(REPO_ROOT, path), encoding='utf-8') as f:
        return yaml.safe_load(f)


def _check_paper(paper, where):
    assert isinstance(paper, dict) and set(paper) == {'Title', 'URL'}, where
    assert paper['Title'].strip(), where
    assert paper['URL'].startswith('https://'), where


def listing_problems(folder, metafile):
    """What is wrong between the configs in ``folder`` and the ``Config``
    entries of ``metafile`` (a parsed dict), as readable strings; paths
    relative to ``folder``'s parent of ``configs``."""
    root = osp.dirname(osp.dirname(folder))
    on_disk = {
        osp.relpath(path, root)
        for path in glob.glob(osp.join(folder, '**', '*.py'), recursive=True)
    }
    listed = collections.Counter(m['Config'] for m in metafile['Models'])
    problems = [
        f'{path} has no entry' for path in sorted(on_disk - set(listed))
    ]
    problems += [
        f'{path} is listed {n} times' for path, n in sorted(listed.items())
        if n > 1
    ]
    problems += [
        f'{path} is listed but does not exist'
        for path in sorted(set(listed) - on_disk)
    ]
    return problems


def test_there_are_metafiles():
    assert METAFILES, 'no configs/*/metafile.yaml'


def test_model_index_imports_every_metafile():
    index = _load('model-index.yml')
    assert set(index) == {'Import'}
    imports = index['Import']
    assert len(imports) == len(set(imports))
    assert sorted(imports) == METAFILES
    for path in imports:
        assert osp.isfile(osp.join(REPO_ROOT, path)), path


@pytest.mark.parametrize('metafile', METAFILES)
def test_schema(metafile):
    data = _load(metafile)
    assert set(data) == {'Collections', 'Models'}, metafile
    names = set()
    for col in data['Collections']:
        assert set(col) == COLLECTION_KEYS, (metafile, set(col))
        assert col['License'] == 'Apache License 2.0'
        assert col['Frameworks'] == ['PyTorch']
        assert col['Metadata']['Training Data'], metafile
        _check_paper(col['Paper'], (metafile, col['Name']))
        assert osp.isfile(osp.join(REPO_ROOT, col['README'])), col['README']
        names.add(col['Name'])
    assert data['Models'], metafile
    for model in data['Models']:
        where = (metafile, model.get('Name'))
        keys = set(model)
        assert MODEL_REQUIRED <= keys, (where, MODEL_REQUIRED - keys)
        assert keys <= MODEL_REQUIRED | MODEL_OPTIONAL, (where, keys -
                                                         MODEL_REQUIRED -
                                                         MODEL_OPTIONAL)
        assert model['In Collection'] in names, where
        assert model['Framework'] == 'PyTorch', where
        config = model['Config']
        assert config.startswith(osp.dirname(metafile) + '/'), where
        assert osp.basename(config) == model['Name'] + '.py', where
        meta = model['Metadata']
        assert meta['Training Data'] and meta['Architecture'], where
        assert isinstance(meta['Batch Size'], int) and meta['Batch Size'] > 0
        _check_paper(model['Paper'], where)
        code = model['Code']
        assert code.startswith('https://') or osp.isfile(
            osp.join(REPO_ROOT, code)), (where, code)
        if 'Baseline Paper' in model:
            _check_paper(model['Baseline Paper'], where)
        if 'Baseline Config' in model:
            base = model['Baseline Config']
            path = (
                osp.join(MMSEG_CONFIGS, base[len('mmseg::'):])
                if base.startswith('mmseg::') else osp.join(REPO_ROOT, base))
            assert osp.isfile(path), (where, base)


@pytest.mark.parametrize('metafile', METAFILES)
def test_results_say_whose_they_are(metafile):
    for model in _load(metafile)['Models']:
        where = (metafile, model['Name'])
        if 'Results' not in model:
            assert 'Results Source' not in model, where
            continue
        results = model['Results']
        results = results if isinstance(results, list) else [results]
        for result in results:
            assert set(result) == {'Task', 'Dataset', 'Metrics'}, where
            assert result['Task'] == 'Semantic Segmentation', where
            assert result['Metrics'] and all(
                isinstance(v, (int, float))
                for v in result['Metrics'].values()), where
        source = model['Results Source']
        assert source.startswith(RESULT_SOURCES), (where, source)
        assert 'Not trained by cblseg' in source, where


@pytest.mark.parametrize('metafile', METAFILES)
def test_mmseg_results_are_mmseg_metafile_values(metafile):
    """Numbers credited to MMSeg's model zoo are copied exactly from MMSeg's
    metafile, for an MMSeg config of the same folder and name."""
    for model in _load(metafile)['Models']:
        if not model.get('Results Source', '').startswith('MMSeg model zoo:'):
            continue
        rel = osp.relpath(model['Config'], 'configs')
        assert osp.isfile(osp.join(MMSEG_CONFIGS, rel)), rel
        theirs_path = osp.join(MMSEG_CONFIGS, osp.dirname(rel),
                               'metafile.yaml')
        with open(theirs_path, encoding='utf-8') as f:
            theirs = {m['Name']: m for m in yaml.safe_load(f)['Models']}
        assert model['Results']['Metrics'] == \
            theirs[model['Name']]['Results']['Metrics'], model['Name']


@pytest.mark.parametrize('metafile', METAFILES)
def test_every_config_listed_exactly_once(metafile):
    folder = osp.join(REPO_ROOT, osp.dirname(metafile))
    assert listing_problems(folder, _load(metafile)) == []


def test_model_names_unique_across_metafiles():
    names = collections.Counter(model['Name'] for path in METAFILES
                                for model in _load(path)['Models'])
    assert [n for n, count in names.items() if count > 1] == []


def test_listing_check_catches_unlisted_duplicate_and_missing(tmp_path):
    """The listing check fails where it should: a copy of configs/ocrnet
    with a new config, a duplicated entry and an entry whose file is gone."""
    folder = tmp_path / 'configs' / 'ocrnet'
    shutil.copytree(osp.join(REPO_ROOT, 'configs', 'ocrnet'), folder)
    data = _load('configs/ocrnet/metafile.yaml')
    assert listing_problems(str(folder), data) == []
    (folder / 'ocrnet_new.py').write_text("_base_ = []\n")
    first = dict(data['Models'][0])
    data['Models'] = data['Models'] + [
        first, dict(first, Config='configs/ocrnet/gone.py')
    ]
    assert listing_problems(str(folder), data) == [
        'configs/ocrnet/ocrnet_new.py has no entry',
        f"{first['Config']} is listed 2 times",
        'configs/ocrnet/gone.py is listed but does not exist',
    ]
