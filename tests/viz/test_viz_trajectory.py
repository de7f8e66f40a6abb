"""tl.viz.Trajectory after a known optimisation: gradient descent on the F20 quadratic."""

import math

import numpy as np
import pytest

import tinygrad_lite as tl

CURVATURE = [1.0, 10.0]  # L = ½(θ1² + 10·θ2²), the lecture's F20 surface
START, LR, STEPS = [-4.0, 1.5], 0.09, 6


def quadratic(theta):
    return 0.5 * (tl.tensor(CURVATURE, dtype=theta.dtype, device=theta.device) * theta ** 2).sum()


def expected_path(steps=STEPS):
    """θₜ = θ₀ ⊙ (1 − η·h)ᵗ for gradient descent on a diagonal quadratic; also L(θₜ) and ‖∇L(θₜ)‖."""
    h = np.array(CURVATURE)
    theta = np.array(START) * (1 - LR * h) ** np.arange(steps)[:, None]
    return theta, 0.5 * (h * theta ** 2).sum(axis=1), np.linalg.norm(h * theta, axis=1)


class PlainGD:
    """The smallest optimizer with PyTorch's conventions (param_groups, lr, step), so this test stands alone."""

    def __init__(self, params, lr):
        self.param_groups = [{"params": list(params), "lr": lr}]

    @property
    def lr(self):
        return self.param_groups[0]["lr"]

    def step(self):
        with tl.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    p.data = (p - group["lr"] * p.grad).data


class GroupsOnly(PlainGD):
    """An optimizer without an ``lr`` attribute: the learning rate is read from group 0."""

    lr = None


def test_hand_written_gradient_descent(device):
    theta = tl.tensor(START, dtype=tl.float64, requires_grad=True, device=device)
    traj = tl.viz.Trajectory(theta)
    for _ in range(STEPS):
        theta.grad = None
        loss = quadratic(theta)
        loss.backward()
        traj.record(loss, lr=LR)
        with tl.no_grad():
            theta.data = (theta - LR * theta.grad).data  # θ ← θ − η∇L
    params, losses, grad_norms = expected_path()
    assert len(traj) == STEPS
    np.testing.assert_allclose(traj.params, params, rtol=1e-12)
    np.testing.assert_allclose(traj.losses, losses, rtol=1e-12)
    np.testing.assert_allclose(traj.grad_norms, grad_norms, rtol=1e-12)
    np.testing.assert_array_equal(traj.lrs, np.full(STEPS, LR))
    # the end point, recorded without a gradient: its norm is unknown, not stale
    theta.grad = None
    traj.record(quadratic(theta))
    assert len(traj) == STEPS + 1 and math.isnan(traj.grad_norms[-1]) and math.isnan(traj.lrs[-1])


def test_recording_at_each_optimizer_step(device):
    theta = tl.tensor(START, dtype=tl.float64, requires_grad=True, device=device)
    opt = PlainGD([theta], lr=LR)
    with tl.viz.Trajectory([theta], optimizer=opt) as traj:
        for t in range(STEPS):
            theta.grad = None
            loss = quadratic(theta)
            loss.backward()
            if t % 2 == 0:
                traj.record(loss)  # hands the loss to this step's row
            opt.step()
    assert "step" not in vars(opt)  # the optimizer's own step() is back
    params, losses, grad_norms = expected_path()
    np.testing.assert_allclose(traj.params, params, rtol=1e-12)  # rows hold θ before each update
    np.testing.assert_allclose(traj.losses[::2], losses[::2], rtol=1e-12)
    assert np.isnan(traj.losses[1::2]).all()
    np.testing.assert_allclose(traj.grad_norms, grad_norms, rtol=1e-12)
    np.testing.assert_array_equal(traj.lrs, np.full(STEPS, LR))


def test_learning_rate_follows_the_optimizer(device):
    theta = tl.tensor(START, dtype=tl.float64, requires_grad=True, device=device)
    opt = GroupsOnly([theta], lr=0.0)
    traj = tl.viz.Trajectory(theta, optimizer=opt)
    for t in range(1, 5):
        opt.param_groups[0]["lr"] = 0.1 / math.sqrt(t)  # a decaying schedule, as F33
        theta.grad = None
        quadratic(theta).backward()
        traj.record()
        opt.step()
    np.testing.assert_allclose(traj.lrs, 0.1 / np.sqrt([1, 2, 3, 4]))
    assert np.isnan(traj.losses).all()


def test_gradient_norm_over_several_parameters(device):
    a = tl.tensor([3.0], dtype=tl.float64, requires_grad=True, device=device)
    b = tl.tensor([[1.0, 2.0]], dtype=tl.float64, requires_grad=True, device=device)
    c = tl.tensor(5.0, dtype=tl.float64, requires_grad=True, device=device)  # never gets a gradient
    traj = tl.viz.Trajectory(iter([a, b, c]))  # a generator, as model.parameters() may be
    traj.record()
    assert math.isnan(traj.grad_norms[0])
    (a.sum() * 4 + (b * 3).sum()).backward()  # gradients 4 and (3, 3): ‖g‖ = √(16 + 9 + 9)
    traj.record(tl.tensor(1.5))
    assert traj.grad_norms[1] == pytest.approx(math.sqrt(34))
    np.testing.assert_array_equal(traj.params, [[3, 1, 2, 5], [3, 1, 2, 5]])
    assert traj.losses[1] == 1.5


def test_bad_use_is_explained():
    with pytest.raises(TypeError, match="Trajectory: params"):
        tl.viz.Trajectory(3.0)
    traj = tl.viz.Trajectory(tl.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="needs the optimizer"):
        with traj:
            pass
    with pytest.raises(ValueError, match="single number"):
        traj.record(tl.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="nothing recorded"):
        traj.plot()


def test_plot_the_path_on_a_contour(device, plt, assert_drawn, tmp_path):
    theta = tl.tensor(START, dtype=tl.float64, requires_grad=True, device=device)
    opt = PlainGD([theta], lr=LR)
    with tl.viz.Trajectory(theta, optimizer=opt) as traj:
        for _ in range(STEPS):
            theta.grad = None
            quadratic(theta).backward()
            opt.step()
    A, B, Z = tl.viz.loss_surface(quadratic, tl.tensor([0.0, 0.0], dtype=tl.float64, device=device), span=5.0,
                                  steps=41)
    ax = tl.viz.plot_contour(A, B, Z, levels=20)
    assert traj.plot(ax) is ax
    path = ax.lines[0]
    np.testing.assert_allclose(path.get_xdata(), traj.params[:, 0])
    np.testing.assert_allclose(path.get_ydata(), traj.params[:, 1])
    assert_drawn(ax, tmp_path / "path.png", at_least=0.5)


def test_plot_projects_onto_the_directions_of_a_slice(plt):
    center = np.array([1.0, 2.0, 3.0])
    d1, d2 = np.array([1.0, 0.0, 1.0]), np.array([0.0, 2.0, 0.0])
    alphas, betas = np.array([0.0, 0.5, -1.0]), np.array([1.0, 0.25, 0.0])
    w = tl.tensor(center)
    traj = tl.viz.Trajectory(w)
    for a, b in zip(alphas, betas):
        w.data = center + a * d1 + b * d2
        traj.record()
    ax = traj.plot(center=center, directions=(d1, d2), color="red")
    np.testing.assert_allclose(ax.lines[0].get_xdata(), alphas, atol=1e-12)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), betas, atol=1e-12)
    with pytest.raises(ValueError, match="pass directions"):
        traj.plot()
