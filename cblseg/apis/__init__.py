from .test import build_test_runner, parse_test_args, test
from .train import build_train_runner, parse_train_args, train

__all__ = [
    'build_test_runner', 'parse_test_args', 'test', 'build_train_runner',
    'parse_train_args', 'train'
]
