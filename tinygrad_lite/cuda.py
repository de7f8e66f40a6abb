"""``tl.cuda``: is a GPU usable? (CuPy installed and a CUDA device visible, or the CUDA simulator.)"""

from .backend import cuda_is_available as is_available
from .backend import cuda_is_simulated as is_simulated

__all__ = ["is_available", "is_simulated"]
