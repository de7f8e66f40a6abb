"""How many tensors and graph nodes are alive: a window on memory for learners (and for leak tests).

A graph lives exactly as long as something refers to its output. ``loss = model(x).sum()`` keeps every
intermediate tensor of the forward pass alive (backward needs them); ``del loss``, or the next
iteration's ``loss = ...``, drops them all at once, by reference counting, because the graph holds no
reference cycles (each Function refers to its inputs, never to its output Tensor).

>>> import gc
>>> import tinygrad_lite as tl
>>> _ = gc.collect()                       # free earlier garbage first, so the counts below are exact
>>> x = tl.ones(3, requires_grad=True)
>>> before = tl.live_tensors()
>>> loss = (x * x).exp().sum()             # three new tensors: x * x, its exp, and the sum
>>> tl.live_tensors() - before, tl.live_graph_nodes() >= 3
(3, True)
>>> del loss                               # the whole graph is freed at once
>>> tl.live_tensors() - before
0

The counts are computed only when asked, by walking the objects Python's garbage collector tracks
(``gc.get_objects()``): creating a tensor costs nothing extra, and a count costs about a millisecond
per 10,000 live Python objects. (Registering every tensor in a ``weakref.WeakSet`` instead would add
some 0.3 µs to *every op*, about a tenth of a small op's whole cost, for a number read a few times
per run.)

The one way to grow a graph across training steps: ``loss.backward(create_graph=True)`` stores in each
``p.grad`` a gradient that is itself a graph, and that graph refers back to ``p`` (a reference cycle,
freed only by the cyclic garbage collector). A second ``backward(create_graph=True)`` without
``zero_grad()`` adds the new gradient to the old one *inside the graph*, so ``p.grad`` then carries the
graphs of every earlier step. Calling ``optimizer.zero_grad()`` (or ``model.zero_grad()``) each step,
as every training loop should, sets ``p.grad = None`` and drops them; ``tl.grad(..., create_graph=True)``
never touches ``.grad`` at all, which is why ``tl.hessian`` and ``tl.hvp`` are built on it.
"""

from __future__ import annotations

import gc

from .autograd import Function
from .tensor import Tensor


def live_tensors(device: str | None = None) -> int:
    """The number of Tensor objects alive right now (Parameters included), or only those on ``device``.

    Objects in a reference cycle count until the garbage collector frees them; call ``gc.collect()``
    first to count only what is really reachable.
    """
    # issubclass(type(obj), ...) rather than isinstance: isinstance would ask every object in the
    # process for its __class__, which some libraries' lazy objects answer with side effects
    return sum(1 for obj in gc.get_objects()
               if issubclass(type(obj), Tensor) and (device is None or obj.device == device))


def live_graph_nodes() -> int:
    """The number of graph nodes (Function objects: one per recorded op) alive right now."""
    return sum(1 for obj in gc.get_objects() if issubclass(type(obj), Function))
