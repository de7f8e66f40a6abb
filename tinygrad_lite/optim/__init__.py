"""Optimizers (``tl.optim``) and learning-rate schedules (``tl.optim.lr_scheduler``).

Every optimizer is one choice in the lecture's summary update θ ← θ − (ηᵗ/σᵗ)·mᵗ (F36):

============  ======================================  ======================  =================
optimizer     movement m                              scale σ                 file
============  ======================================  ======================  =================
SGD           g (or PyTorch's momentum buffer v)      1                       sgd.py
Momentum      the lecture's m ← λm − ηg               1                       sgd.py
Adagrad       g                                       √(Σ g²) or RMS of g     adagrad.py
RMSProp       g                                       moving RMS of g         rmsprop.py
Adam, AdamW   m̂ (bias-corrected moving average)       √v̂                      adam.py
============  ======================================  ======================  =================

and ηᵗ comes from a scheduler in ``lr_scheduler``.
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSProp
from .sgd import SGD, Momentum

RMSprop = RMSProp  # PyTorch's spelling

__all__ = ["Optimizer", "SGD", "Momentum", "Adagrad", "RMSProp", "RMSprop", "Adam", "AdamW", "lr_scheduler"]
