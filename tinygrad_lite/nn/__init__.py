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
from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv2d, MaxPool2d
from .dropout import Dropout
from .embedding import Embedding
from .flatten import Flatten
from .identity import Identity
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss
from .module import Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .pooling import AdaptiveAvgPool2d, AvgPool2d

__all__ = ["functional", "init", "utils", "Module", "Parameter", "Linear", "Sequential", "ModuleList", "ModuleDict",
           "ReLU", "LeakyReLU", "GELU", "SiLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Flatten", "Dropout",
           "Identity", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm1d", "BatchNorm2d",
           "LayerNorm", "Embedding", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "MSELoss",
           "NLLLoss", "L1Loss", "SmoothL1Loss", "HuberLoss"]
