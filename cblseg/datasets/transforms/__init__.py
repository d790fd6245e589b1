# Copyright (c) cblseg contributors. All rights reserved.
from .generate_boundary import GenerateBoundary

__all__ = ['GenerateBoundary']
