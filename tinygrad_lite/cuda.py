"""``tl.cuda``: is a GPU usable? (CuPy installed and a CUDA device visible.)"""

from .backend import cuda_is_available as is_available

__all__ = ["is_available"]
