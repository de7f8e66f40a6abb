"""Memory: graphs die by reference counting, long training loops stay flat, ``create_graph`` is contained.

``tl.live_tensors()`` and ``tl.live_graph_nodes()`` count what is alive; ``tracemalloc`` measures the
bytes Python and NumPy hold. The long loop's growth is printed (``-s``) for the issue's closing note.
"""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest
from helpers import DEVICE

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F

LONG_LOOP_STEPS = 3000
WARM_UP_STEPS = 2000  # Python keeps up to 2000 freed tuples of each length for reuse: the warm-up fills that
ALLOWED_GROWTH = 64 * 1024  # bytes over the whole loop: far below one leaked graph per step (≈ 10 kB each)


@pytest.fixture
def no_cyclic_gc():
    """Only reference counting frees objects inside the test: a graph with a reference cycle would leak."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def _classifier():
    tl.manual_seed(0)
    model = tl.nn.Sequential(tl.nn.Linear(2, 16), tl.nn.Tanh(), tl.nn.Linear(16, 2)).to(DEVICE)
    X, y = tl.data.datasets.two_gaussians(n_per_class=32, seed=0)
    loader = tl.data.DataLoader(tl.data.TensorDataset(X, y), batch_size=16, shuffle=True, seed=0, device=DEVICE)
    return model, loader


def _graph_size(t: tl.Tensor) -> int:
    """The number of graph nodes reachable from ``t`` (0 for a leaf)."""
    seen, stack = set(), [t.grad_fn] if t.grad_fn is not None else []
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        stack.extend(x.grad_fn for x in fn.inputs if x.grad_fn is not None)
    return len(seen)


def test_live_tensors_counts_what_a_graph_keeps_alive(device, no_cyclic_gc):
    x = tl.ones(3, requires_grad=True, device=device)
    (x * x).tanh().sum().backward()  # once first: the constants backward uses (tanh's 1) are cached
    x.grad = None
    before, nodes_before = tl.live_tensors(), tl.live_graph_nodes()
    other = "cpu" if device != "cpu" else "cuda"
    on_device_before, elsewhere_before = tl.live_tensors(device), tl.live_tensors(other)
    loss = (x * x).tanh().sum()
    assert tl.live_tensors() - before == 3 and tl.live_graph_nodes() - nodes_before == 3
    # (counts relative to the start: earlier tests in the same process may keep tensors of their own)
    assert tl.live_tensors(device) - on_device_before == 3 and tl.live_tensors(other) == elsewhere_before
    loss.backward()
    assert tl.live_tensors() - before == 4  # + x.grad
    del loss
    assert tl.live_tensors() - before == 1 and tl.live_graph_nodes() == nodes_before


def test_every_step_of_a_training_loop_frees_its_graph(no_cyclic_gc):
    nodes_before = tl.live_graph_nodes()  # earlier tests in the same process may keep graphs of their own
    model, loader = _classifier()
    opt = tl.optim.Adam(model.parameters(), lr=0.01)
    counts = []
    for _ in range(5):
        for x, y in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        del x, y, loss
        counts.append((tl.live_tensors(), tl.live_graph_nodes()))
    assert counts[-1][1] == nodes_before, "graph nodes outlived their step"
    assert len(set(counts)) == 1, f"live tensors / graph nodes change from epoch to epoch: {counts}"


@pytest.mark.parametrize("optimizer", [tl.optim.SGD, tl.optim.Adam])
def test_a_long_training_loop_keeps_flat_memory(optimizer, no_cyclic_gc):
    """Thousands of steps (forward, backward, step, data loading): after a warm-up the traced memory must
    not grow. Any per-step leak (a graph kept alive by a cycle, a growing cache or state list) shows."""
    model, loader = _classifier()
    opt = optimizer(model.parameters(), lr=0.01, **({"momentum": 0.9} if optimizer is tl.optim.SGD else {}))

    def train(steps: int) -> float:
        done = 0
        while done < steps:
            for x, y in loader:
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                done += 1
        return loss.item()

    first_loss = train(1)
    tracemalloc.start()
    try:
        # warm-up: optimizer state, cached constants, and Python's own free lists and memory pools, which
        # keep some freed memory for reuse and fill up over the first thousand steps or so
        train(WARM_UP_STEPS)
        start, tensors = tracemalloc.get_traced_memory()[0], tl.live_tensors()
        last_loss = train(LONG_LOOP_STEPS)
        growth = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    print(f"\n{optimizer.__name__}: {LONG_LOOP_STEPS} steps, traced memory grew by {growth} bytes, "
          f"live tensors {tensors} -> {tl.live_tensors()}")
    assert last_loss < first_loss  # it really trained
    assert tl.live_tensors() == tensors
    assert growth < ALLOWED_GROWTH, f"memory grew by {growth} bytes over {LONG_LOOP_STEPS} steps"


def test_repeated_hessians_keep_flat_memory(no_cyclic_gc):
    """tl.hessian builds a graph of the gradient (create_graph) every call; none of it may survive."""
    w = tl.tensor([0.3, -0.7], dtype=tl.float64, device=DEVICE)

    def loss(w):
        return (1 - w[0] * w[1]) ** 2 + (w ** 4).sum()

    for _ in range(300):  # warm-up, as in the training loop above
        tl.hessian(loss, w)
    tensors, nodes = tl.live_tensors(), tl.live_graph_nodes()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(300):
            tl.hessian(loss, w)
        growth = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert (tl.live_tensors(), tl.live_graph_nodes()) == (tensors, nodes)
    assert growth < ALLOWED_GROWTH


# --- create_graph=True and .grad (documented in tinygrad_lite/memory.py) ----------------------------


def _second_order_step(w, opt, zero_grad: bool) -> None:
    """One step of a loss whose gradient is kept as a graph (as in a gradient penalty)."""
    if zero_grad:
        opt.zero_grad()
    loss = ((w ** 3).sum() - 1) ** 2
    loss.backward(create_graph=True)
    penalty = (w.grad ** 2).sum()  # differentiate the gradient itself: why create_graph is asked for
    assert penalty.requires_grad
    opt.step()


def test_create_graph_with_zero_grad_keeps_grad_graph_from_growing(device, no_cyclic_gc):
    w = tl.tensor([0.5, 0.2], requires_grad=True, device=device)
    opt = tl.optim.SGD([w], lr=0.01)
    sizes, nodes = [], []
    for _ in range(20):
        _second_order_step(w, opt, zero_grad=True)
        sizes.append(_graph_size(w.grad))
        nodes.append(tl.live_graph_nodes())
    assert len(set(sizes)) == 1, f"the graph behind w.grad grows: {sizes}"
    assert len(set(nodes)) == 1, f"graph nodes pile up across steps: {nodes}"
    opt.zero_grad()  # w.grad's graph refers back to w (a cycle); dropping .grad frees it by refcount
    assert tl.live_graph_nodes() == 0


def test_create_graph_without_zero_grad_accumulates_inside_the_graph(device, no_cyclic_gc):
    """The documented pitfall: without zero_grad, each backward(create_graph=True) adds its gradient to
    the old one *in the graph*, so .grad carries every earlier step's graph (as in PyTorch)."""
    w = tl.tensor([0.5, 0.2], requires_grad=True, device=device)
    opt = tl.optim.SGD([w], lr=0.01)
    sizes = []
    for _ in range(5):
        _second_order_step(w, opt, zero_grad=False)
        sizes.append(_graph_size(w.grad))
    assert sizes == sorted(sizes) and sizes[-1] > sizes[0] * 4
    opt.zero_grad()
    assert tl.live_graph_nodes() == 0


def test_plain_backward_never_leaves_a_graph_in_grad(device):
    """Without create_graph, gradients accumulate as plain arrays: nothing to grow, zero_grad or not."""
    w = tl.tensor([0.5, 0.2], requires_grad=True, device=device)
    for _ in range(3):
        ((w ** 3).sum() ** 2).backward()
    assert w.grad.grad_fn is None and not w.grad.requires_grad
    np.testing.assert_allclose(w.grad.cpu().numpy(), 3 * 2 * (0.125 + 0.008) * 3 * np.array([0.25, 0.04]), rtol=1e-5)
