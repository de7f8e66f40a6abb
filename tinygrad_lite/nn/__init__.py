"""Neural networks: Module and Parameter, layers, initialisation, losses and the functional forms.

>>> import tinygrad_lite as tl
>>> import tinygrad_lite.nn.functional as F
>>> model = tl.nn.Sequential(tl.nn.Linear(4, 16), tl.nn.ReLU(), tl.nn.Linear(16, 3))
>>> loss = F.cross_entropy(model(tl.randn(8, 4)), tl.tensor([0, 1, 2, 0, 1, 2, 0, 1]))
>>> loss.backward()
>>> all(p.grad is not None for p in model.parameters())
True
"""

from . import functional, init, utils
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import Sequential
from .conv import Conv2d, MaxPool2d
from .dropout import Dropout
from .flatten import Flatten
from .identity import Identity
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .module import Module, Parameter

__all__ = ["functional", "init", "utils", "Module", "Parameter", "Linear", "Sequential", "ReLU", "Sigmoid", "Tanh",
           "Softmax", "LogSoftmax", "Flatten", "Dropout", "Identity", "Conv2d", "MaxPool2d", "CrossEntropyLoss",
           "BCELoss", "BCEWithLogitsLoss", "MSELoss"]
