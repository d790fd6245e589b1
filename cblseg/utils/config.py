"""Loading configs with errors that say what to do."""
from typing import Iterable

from mmengine.config import Config

__all__ = ['CUSTOM_IMPORTS_HINT', 'load_config', 'imports_cblseg']

CUSTOM_IMPORTS_HINT = (
    "custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)")

_INSTALL_HINT = (
    'cblseg is installed into ./.venv by `make setup` in its repository; '
    'in another environment run `pip install -e /path/to/cblseg` (or '
    '`pip install /path/to/cblseg`) with the python that runs MMSeg, and '
    'check with `python -c "import cblseg"`.')


def imports_cblseg(cfg: Config) -> bool:
    """Whether the config's ``custom_imports`` names ``cblseg``."""
    custom = cfg.get('custom_imports') or {}
    imports: Iterable[str] = custom.get('imports', [])
    if isinstance(imports, str):
        imports = [imports]
    return any(name == 'cblseg' or name.startswith('cblseg.')
               for name in imports)


def load_config(filename: str) -> Config:
    """``Config.fromfile`` with a useful message when ``custom_imports``
    fails.

    Args:
        filename (str): Path of the config file.

    Returns:
        Config: The loaded config.

    Raises:
        ImportError: A module of ``custom_imports`` cannot be imported; the
            message names the config and the module and says how to install
            cblseg.
    """
    try:
        return Config.fromfile(filename)
    except ImportError as err:
        missing = getattr(err, 'name', None) or str(err)
        raise ImportError(
            f'{filename}: custom_imports could not import {missing!r} '
            f'({err}). {_INSTALL_HINT}') from err
