"""Part 5 (F48, F49): batch normalization's benefit, measured; the reported numbers are recomputed here with
an SGD loop and landscape probes written independently of the demo's."""

import numpy as np
import pytest
from figure_check import run

import tinygrad_lite as tl
import tinygrad_lite.nn.functional as F
from demos.batchnorm_benefit import (
    BATCH_SIZE,
    LARGE_LR,
    LR,
    PROBE_STEPS,
    compare_landscapes,
    digits,
    held_out_accuracy,
    loss_along_gradient,
    mlp,
)
from tinygrad_lite.data import DataLoader, TensorDataset


def batches(X, y, seed):
    """The batches the demo trains on, epoch after epoch (the same loader seed walks the same permutations)."""
    loader = DataLoader(TensorDataset(X, y), batch_size=BATCH_SIZE, shuffle=True, seed=seed)
    while True:
        yield from loader


def sgd(model, stream, lr, updates):
    """Plain SGD by hand: θ ← θ − η ∇Lᵇ(θ) with tl.grad, no optimizer object."""
    parameters = list(model.parameters())
    for _ in range(updates):
        xb, yb = next(stream)
        gradients = tl.grad(F.cross_entropy(model(xb), yb), parameters)
        for p, g in zip(parameters, gradients):
            p.data = p.data - np.float32(lr) * g.numpy()


def loss_and_gradient(model, parameters, values, xb, yb):
    """L and ∇L (one flat float64 vector) on the batch, with the parameters set to ``values``."""
    for p, v in zip(parameters, values):
        p.data = v
    loss = F.cross_entropy(model(xb), yb)
    gradient = np.concatenate([g.numpy().astype(np.float64).ravel() for g in tl.grad(loss, parameters)])
    return loss.item(), gradient


def probe_by_hand(model, xb, yb):
    """Santurkar et al.'s two quantities, from gradients at θ and at θ − η′g for every η′ in PROBE_STEPS."""
    parameters = list(model.parameters())
    theta = [p.data.copy() for p in parameters]
    loss, g = loss_and_gradient(model, parameters, theta, xb, yb)
    shapes = [t.shape for t in theta]
    pieces = np.split(g, np.cumsum([int(np.prod(s)) for s in shapes])[:-1])
    losses, betas = [], []
    for eta in PROBE_STEPS:
        moved = [t - np.float32(eta) * piece.reshape(s).astype(np.float32)
                 for t, piece, s in zip(theta, pieces, shapes)]
        loss_moved, g_moved = loss_and_gradient(model, parameters, moved, xb, yb)
        losses.append(loss_moved)
        betas.append(np.linalg.norm(g_moved - g) / (eta * np.linalg.norm(g)))
    loss_and_gradient(model, parameters, theta, xb, yb)  # put θ back
    return loss, np.array(losses), max(betas)


def test_f48_batchnorm_trains_faster_and_survives_a_20x_learning_rate(tmp_path):
    m = run("F48", tmp_path)
    assert m["learning_rates"] == [LR, LARGE_LR] and LARGE_LR / LR == 20
    runs = m["per_seed"]
    bn, plain = runs[f"η = {LR:g}, with BN"], runs[f"η = {LR:g}, without BN"]
    assert bn["updates_to_target"][0] <= 50 and plain["updates_to_target"][0] >= 150
    large_bn, large_plain = runs[f"η = {LARGE_LR:g}, with BN"], runs[f"η = {LARGE_LR:g}, without BN"]
    assert large_plain["final_accuracy"][0] <= 0.2 and large_plain["updates_to_target"][0] is None
    assert large_plain["final_training_loss"][0] == pytest.approx(np.log(10), abs=0.05)  # a uniform guess
    assert large_plain["dead_units"][0] > 0.5 and large_bn["dead_units"][0] == 0
    assert large_bn["final_accuracy"][0] >= 0.95

    # the updates to 90 % with BN at η = 0.1, recomputed: below 90 % ten updates earlier, at or above it then
    reached = bn["updates_to_target"][0]
    X, y, X_test, y_test = digits(0)
    tl.manual_seed(0)
    model, stream = mlp(batch_norm=True), batches(X, y, seed=0)
    sgd(model, stream, LR, reached - 10)
    assert held_out_accuracy(model, X_test, y_test) < 0.9
    sgd(model, stream, LR, 10)
    assert held_out_accuracy(model, X_test, y_test) >= 0.9

    # the plain network at 20× η, recomputed to the end: its final held-out accuracy is the one reported
    tl.manual_seed(0)
    model = mlp(batch_norm=False)
    sgd(model, batches(X, y, seed=0), LARGE_LR, m["updates"])
    assert held_out_accuracy(model, X_test, y_test) == pytest.approx(large_plain["final_accuracy"][0], abs=1e-6)


def test_both_networks_start_from_the_same_linear_weights():
    tl.manual_seed(3)
    with_bn = [layer.weight.numpy() for layer in mlp(batch_norm=True) if isinstance(layer, tl.nn.Linear)]
    tl.manual_seed(3)
    without = [layer.weight.numpy() for layer in mlp(batch_norm=False) if isinstance(layer, tl.nn.Linear)]
    assert len(with_bn) == len(without) == 4
    for a, b in zip(with_bn, without):
        np.testing.assert_array_equal(a, b)


def test_held_out_accuracy_uses_the_running_statistics_and_returns_to_training_mode():
    tl.manual_seed(0)
    model = mlp(batch_norm=True)
    X, y, _, _ = digits(0)
    accuracy = held_out_accuracy(model, X[:1], y[:1])  # one example: only eval mode can normalise it
    assert accuracy in (0.0, 1.0) and model.training
    before = model[1].running_mean.numpy().copy()
    held_out_accuracy(model, X[:100], y[:100])
    np.testing.assert_array_equal(model[1].running_mean.numpy(), before)


@pytest.fixture(scope="module")
def f49(tmp_path_factory):
    return run("F49", tmp_path_factory.mktemp("f49"))


@pytest.mark.parametrize("batch_norm", [True, False], ids=["with BN", "without BN"])
def test_f49_probes_recomputed_by_hand_at_two_steps(f49, batch_norm):
    reported = f49["probes"]["with BN" if batch_norm else "without BN"]
    np.testing.assert_allclose(f49["step_sizes"], PROBE_STEPS)
    X, y, _, _ = digits(0)
    tl.manual_seed(0)
    model, stream = mlp(batch_norm), batches(X, y, seed=0)
    first, second = f49["steps"][:2]
    used = [next(stream) for _ in range(second + 1)]
    for index, step in enumerate((first, second)):
        if index:
            sgd(model, iter(used[first:step]), LR, step - first)  # the updates between the two probes
        loss, losses, beta = probe_by_hand(model, *used[step])    # the batch the next update uses
        assert reported[index]["loss"] == pytest.approx(loss, rel=1e-5)
        np.testing.assert_allclose(reported[index]["losses"], losses, rtol=1e-4)
        assert reported[index]["beta"] == pytest.approx(beta, rel=1e-3)


def test_f49_medians_and_ratios_follow_from_the_reported_probes(f49):
    m = f49
    probes = m["probes"]
    loss_plain = np.array([p["loss"] for p in probes["without BN"]])
    left = int(np.argmax(loss_plain < 2.0))
    assert m["plateau_left_at"][0] == m["steps"][left] and loss_plain[0] == pytest.approx(np.log(10), abs=0.05)
    variation = {name: np.array([max(p["losses"]) - min(p["losses"]) for p in probes[name]][left:]) for name in probes}
    beta = {name: np.array([p["beta"] for p in probes[name]][left:]) for name in probes}
    ratio = m["ratio_without_over_with_bn"]
    assert ratio["variation"][0] == pytest.approx(np.median(variation["without BN"]) / np.median(variation["with BN"]),
                                                  rel=1e-4)
    assert ratio["beta"][0] == pytest.approx(np.median(beta["without BN"]) / np.median(beta["with BN"]), rel=1e-4)
    assert ratio["variation"][0] > 10 and ratio["relative_variation"][0] > 1 and ratio["beta"][0] > 1
    # on the plateau the network without BN is the flatter one: reported, not hidden
    plateau = m["median_on_plateau"][0]
    assert plateau["variation"]["without BN"] < plateau["variation"]["with BN"]


def test_loss_along_gradient_is_the_directional_derivative_and_leaves_the_model_alone():
    """In float64, (L(θ + εu) − L(θ − εu)) / 2ε along u = g/‖g‖ equals ‖g‖ (the gradient through the batch
    statistics is the derivative of the train-mode loss), and probing changes neither θ nor the running
    statistics."""
    X, y, _, _ = digits(0)
    tl.manual_seed(0)
    model = mlp(batch_norm=True).double()
    xb, yb = tl.tensor(X[:BATCH_SIZE].astype(np.float64)), tl.tensor(y[:BATCH_SIZE])
    sgd(model, batches(X.astype(np.float64), y, seed=0), LR, 5)
    state = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    probe = loss_along_gradient(model, xb, yb, step_sizes=[0.1])
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), state[k])

    parameters = list(model.parameters())
    theta = [p.data.copy() for p in parameters]
    _, g = loss_and_gradient(model, parameters, theta, xb, yb)
    assert probe["gradient_norm"] == pytest.approx(np.linalg.norm(g), rel=1e-6)
    u = g / np.linalg.norm(g)
    pieces = np.split(u, np.cumsum([t.size for t in theta])[:-1])
    epsilon = 1e-5
    plus, _ = loss_and_gradient(model, parameters, [t + epsilon * p.reshape(t.shape) for t, p in zip(theta, pieces)],
                                xb, yb)
    minus, _ = loss_and_gradient(model, parameters, [t - epsilon * p.reshape(t.shape) for t, p in zip(theta, pieces)],
                                 xb, yb)
    assert (plus - minus) / (2 * epsilon) == pytest.approx(np.linalg.norm(g), rel=1e-6)


def test_compare_landscapes_on_made_up_probes():
    """Two probes per network: the one without BN is on its plateau (loss 2.3) at the first and left it at the
    second; medians and ratios are those of the second probe."""
    def probe(loss, low, high, beta):
        return {"loss": loss, "losses": [low, high], "beta": beta}

    compared = compare_landscapes({True: [probe(2.0, 1.0, 1.5, 4.0), probe(0.5, 0.4, 0.5, 2.0)],
                                   False: [probe(2.3, 2.29, 2.3, 1.0), probe(1.0, 0.5, 5.5, 8.0)]})
    assert compared["left"] == 1
    assert compared["ratio"]["variation"] == pytest.approx(5.0 / 0.1)
    assert compared["ratio"]["relative_variation"] == pytest.approx((5.0 / 1.0) / (0.1 / 0.5))
    assert compared["ratio"]["beta"] == pytest.approx(4.0)
    assert compared["on_plateau"]["variation"]["without BN"] == pytest.approx(0.01)
