__version__ = '0.3.0'


def parse_version_info(version_str):
    """Parse a version string into a tuple, e.g. '0.1.0' -> (0, 1, 0)."""
    return tuple(int(x) if x.isdigit() else x for x in version_str.split('.'))


version_info = parse_version_info(__version__)
