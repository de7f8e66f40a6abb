"""Trajectory: what an optimizer did, step by step (parameters, loss, gradient norm, learning rate).

The lecture reads optimizers off their paths: gradient descent zig-zagging across a valley (F24),
momentum rolling over a hill (F22), Adagrad bursting near the end (F32); and it reads "stuck" off two
curves, a flat loss next to a gradient norm that is *not* small (F23). A Trajectory records exactly
those numbers so a demo can plot them.

One row is one point θₜ of the path: the parameters θₜ, the loss L(θₜ), the gradient norm ‖∇L(θₜ)‖
(from the parameters' ``.grad``) and the learning rate ηₜ of the step about to be taken from θₜ. So
record after ``loss.backward()`` and before the update.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from .. import backend
from ..tensor import Tensor
from .plotting import new_axes
from .vectors import as_tensor_list, flat_vector


class Trajectory:
    """Records parameters, loss, gradient norm and learning rate during optimisation.

    ``Trajectory(params, optimizer=None)``: ``params`` is a Tensor or a list of Tensors (recorded as
    their flattened concatenation); ``optimizer`` is any object following PyTorch's conventions
    (``lr`` or ``param_groups[0]["lr"]``, and ``step()``), used for the learning rate.

    Record by hand, once per step, after ``backward()`` and before the update:

    >>> import tinygrad_lite as tl
    >>> w = tl.tensor([3.0, 1.0], requires_grad=True)
    >>> traj = Trajectory(w)
    >>> for _ in range(3):
    ...     loss = (w * w).sum()
    ...     w.grad = None
    ...     loss.backward()
    ...     traj.record(loss, lr=0.25)
    ...     with tl.no_grad():
    ...         w.data = (w - 0.25 * w.grad).data                 # θ ← θ − η∇L
    >>> traj.params
    array([[3.  , 1.  ],
           [1.5 , 0.5 ],
           [0.75, 0.25]])
    >>> traj.losses, traj.lrs
    (array([10.   ,  2.5  ,  0.625]), array([0.25, 0.25, 0.25]))

    Or let it record at every ``optimizer.step()`` (before the update); ``record(loss)`` inside the
    block then only hands over the loss for the coming step::

        with Trajectory(model.parameters(), optimizer=opt) as traj:
            for x, y in loader:
                opt.zero_grad()
                loss = F.mse_loss(model(x), y)
                loss.backward()
                traj.record(loss)              # optional: without it, that step's loss is NaN
                opt.step()                     # records θ, loss, ‖g‖ and lr, then updates

    The results are NumPy arrays: ``.params`` (steps × n), ``.losses``, ``.grad_norms``, ``.lrs``
    (NaN where a value was not known); ``.plot(ax)`` draws the path over a contour plot.
    """

    def __init__(self, params, optimizer=None) -> None:
        if not isinstance(params, (Tensor, list, tuple)) and hasattr(params, "__iter__"):
            params = list(params)  # model.parameters() may be a generator
        tensors = as_tensor_list(params)
        if tensors is None:
            raise TypeError("Trajectory: params must be a Tensor or a non-empty list of Tensors, "
                            f"got {params!r:.80}")
        self.tensors = tensors
        self.optimizer = optimizer
        self._rows: list[tuple[np.ndarray, float, float, float]] = []
        self._pending_loss: float | None = None  # inside `with`: what record() handed over for the next step
        self._pending_lr: float | None = None
        self._original_step = None  # the optimizer's step() while it is wrapped

    # --- recording ------------------------------------------------------------------------------
    def record(self, loss=None, lr: float | None = None) -> None:
        """Record the current point: parameters, ``loss`` (a Tensor or number; NaN if None), the norm of
        the parameters' gradients and the learning rate (``lr``, else the optimizer's, else NaN).

        Inside ``with traj:`` the optimizer's ``step()`` writes the rows, and this call only keeps
        ``loss`` (and ``lr``) for the next step's row.
        """
        loss_value = math.nan if loss is None else _as_float(loss, "Trajectory.record: loss")
        if self._original_step is not None:
            self._pending_loss, self._pending_lr = loss_value, lr
            return
        self._append(loss_value, lr)

    def __enter__(self) -> Trajectory:
        if self.optimizer is None:
            raise TypeError("Trajectory: recording at each step needs the optimizer: "
                            "Trajectory(params, optimizer=opt)")
        if self._original_step is not None:
            raise RuntimeError("Trajectory: already recording this optimizer's steps")
        self._original_step = self.optimizer.step
        self._own_step = vars(self.optimizer).get("step")  # an instance attribute to put back, if any
        self._pending_loss, self._pending_lr = None, None

        def step(*args, **kwargs):
            self._append(math.nan if self._pending_loss is None else self._pending_loss, self._pending_lr)
            self._pending_loss, self._pending_lr = None, None
            return self._original_step(*args, **kwargs)

        self.optimizer.step = step  # shadows the class's method on this one object
        return self

    def __exit__(self, *exc: object) -> Literal[False]:  # never swallows an exception
        if self._own_step is None:
            del self.optimizer.step  # the class's step() is visible again
        else:
            self.optimizer.step = self._own_step
        self._original_step = None
        return False

    def _append(self, loss: float, lr: float | None) -> None:
        params = np.concatenate([backend.to_host(t.data).astype(np.float64).ravel() for t in self.tensors])
        self._rows.append((params, loss, self._grad_norm(), self._lr() if lr is None else float(lr)))

    def _grad_norm(self) -> float:
        """‖g‖ over all parameters together; parameters without ``.grad`` count as 0, none at all is NaN."""
        grads = [t.grad for t in self.tensors if t.grad is not None]
        if not grads:
            return math.nan
        total = 0.0
        for g in grads:
            xp = backend.get_array_module(g.data)
            total += float(xp.sum(xp.square(g.data.astype(np.float64))))
        return math.sqrt(total)

    def _lr(self) -> float:
        """The optimizer's learning rate for its next step: ``opt.lr``, else group 0's, else NaN."""
        opt = self.optimizer
        if opt is None:
            return math.nan
        lr = getattr(opt, "lr", None)
        if lr is None and getattr(opt, "param_groups", None):
            lr = opt.param_groups[0].get("lr")
        return math.nan if lr is None else _as_float(lr, "Trajectory: the optimizer's lr")

    # --- results --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._rows)

    @property
    def params(self) -> np.ndarray:
        """The parameters at each recorded step, ``(steps, n)``."""
        if not self._rows:
            return np.empty((0, sum(t.numel() for t in self.tensors)))
        return np.stack([row[0] for row in self._rows])

    @property
    def losses(self) -> np.ndarray:
        return np.array([row[1] for row in self._rows])

    @property
    def grad_norms(self) -> np.ndarray:
        return np.array([row[2] for row in self._rows])

    @property
    def lrs(self) -> np.ndarray:
        return np.array([row[3] for row in self._rows])

    def plot(self, ax=None, center=None, directions=None, **kwargs):
        """Draw the path in the plane of a contour plot; returns the Axes.

        With two parameters and no ``directions`` the path is drawn at the parameter values themselves
        (minus ``center``, if given: to match a contour drawn at :func:`loss_surface`'s offsets). With
        ``directions=(d1, d2)`` (and the ``center``) of a :func:`loss_surface` slice, each θ is drawn at
        the offsets (α, β) that best fit θ ≈ center + α·d1 + β·d2. Keyword arguments go to ``ax.plot``
        (default: black dots joined by a line, start marked with a circle).
        """
        points = self.params
        if not len(points):
            raise ValueError("Trajectory.plot: nothing recorded yet")
        if center is not None:
            points = points - flat_vector(center, "Trajectory.plot", "center")
        if directions is not None:
            basis = np.stack([flat_vector(d, "Trajectory.plot", "direction") for d in directions], axis=1)
            if basis.shape != (points.shape[1], 2):
                raise ValueError(f"Trajectory.plot: need two directions of {points.shape[1]} numbers, "
                                 f"got an array of shape {basis.T.shape}")
            points = np.linalg.lstsq(basis, points.T, rcond=None)[0].T
        elif points.shape[1] != 2:
            raise ValueError(f"Trajectory.plot: {points.shape[1]} parameters; pass directions=(d1, d2) "
                             "to project the path onto a plane")
        ax = new_axes("Trajectory.plot", ax)
        style = {"color": "black", "marker": "o", "markersize": 3, "linewidth": 1} | kwargs
        line, = ax.plot(points[:, 0], points[:, 1], **style)
        ax.plot(points[0, 0], points[0, 1], marker="o", markersize=8, markerfacecolor="none",
                color=line.get_color(), linestyle="none")
        return ax


def _as_float(value, what: str) -> float:
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(f"{what} must be a single number, got a Tensor of shape {value.shape}")
        return float(value.item())
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a number or a one-number Tensor, got {value!r}") from None
