"""What every optimizer shares: groups, lr, validation, atomic step(), state_dict round trips."""

from __future__ import annotations

import numpy as np
import pytest
from optim_problem import compute_gradients, host, parameters

import tinygrad_lite as tl

ALL = {
    "sgd": lambda p: tl.optim.SGD(p, lr=0.02, momentum=0.9, nesterov=True, weight_decay=0.01),
    "momentum": lambda p: tl.optim.Momentum(p, lr=0.02),
    "adagrad": lambda p: tl.optim.Adagrad(p, lr=0.1),
    "adagrad_lecture": lambda p: tl.optim.Adagrad(p, lr=0.1, form="lecture"),
    "rmsprop": lambda p: tl.optim.RMSProp(p, lr=0.01),
    "rmsprop_lecture": lambda p: tl.optim.RMSProp(p, lr=0.01, form="lecture"),
    "adam": lambda p: tl.optim.Adam(p, lr=0.05, weight_decay=0.1),
    "adamw": lambda p: tl.optim.AdamW(p, lr=0.05),
    "sgd_dampening_maximize": lambda p: tl.optim.SGD(p, lr=0.02, momentum=0.9, dampening=0.2, maximize=True),
    "adagrad_options": lambda p: tl.optim.Adagrad(p, lr=0.1, lr_decay=0.1, initial_accumulator_value=0.5,
                                                  weight_decay=0.01),
    "rmsprop_centered_momentum": lambda p: tl.optim.RMSProp(p, lr=0.01, centered=True, momentum=0.9,
                                                            weight_decay=0.01),
    "adam_amsgrad": lambda p: tl.optim.Adam(p, lr=0.05, amsgrad=True),
    "adamw_amsgrad_maximize": lambda p: tl.optim.AdamW(p, lr=0.05, amsgrad=True, maximize=True),
}


def run(opt, params, steps):
    for _ in range(steps):
        compute_gradients(opt, params)
        opt.step()


def snapshot(opt) -> dict:
    return {i: {k: host(v) if hasattr(v, "shape") else v for k, v in s.items()}
            for i, s in enumerate(opt.state.values())}


# --- construction ---------------------------------------------------------------------------------

BAD_HYPERPARAMETERS = [
    (lambda p: tl.optim.SGD(p, lr=-0.1), ValueError, "SGD: invalid learning rate -0.1"),
    (lambda p: tl.optim.SGD(p, lr=float("nan")), ValueError, "SGD: invalid learning rate nan"),
    (lambda p: tl.optim.SGD(p, lr=0.1, momentum=-0.5), ValueError, "SGD: invalid momentum -0.5"),
    (lambda p: tl.optim.SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum > 0"),
    (lambda p: tl.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "nesterov=True needs momentum > 0 and dampening = 0, got momentum=0.9, dampening=0.1"),
    (lambda p: tl.optim.SGD(p, lr=0.1, momentum=0.9, dampening=-0.1), ValueError, "SGD: invalid dampening -0.1"),
    (lambda p: tl.optim.SGD(p, lr=0.1, momentum=0.9, dampening=1.5), ValueError, "expected a number >= 0.0 and <= 1"),
    (lambda p: tl.optim.SGD(p, lr=0.1, maximize="yes"), ValueError, "SGD: invalid maximize 'yes'"),
    (lambda p: tl.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=1), ValueError, "SGD: invalid nesterov 1"),
    (lambda p: tl.optim.SGD(p, lr=0.1, weight_decay=-1), ValueError, "SGD: invalid weight_decay -1"),
    (lambda p: tl.optim.Momentum(p, lr=0.1, momentum=-1), ValueError, "Momentum: invalid momentum -1"),
    (lambda p: tl.optim.Adagrad(p, eps=-1e-10), ValueError, "Adagrad: invalid eps"),
    (lambda p: tl.optim.Adagrad(p, form="mean"), ValueError, "Adagrad: invalid form 'mean'"),
    (lambda p: tl.optim.Adagrad(p, lr_decay=-0.1), ValueError, "Adagrad: invalid lr_decay -0.1"),
    (lambda p: tl.optim.Adagrad(p, initial_accumulator_value=-1.0), ValueError,
     "Adagrad: invalid initial_accumulator_value -1.0"),
    (lambda p: tl.optim.Adagrad(p, weight_decay=float("inf")), ValueError, "Adagrad: invalid weight_decay inf"),
    (lambda p: tl.optim.Adagrad(p, initial_accumulator_value=0.1, form="lecture"), ValueError,
     "form='lecture' (a root mean square) has no starting sum"),
    (lambda p: tl.optim.RMSProp(p, alpha=1.5), ValueError, "RMSProp: invalid alpha 1.5"),
    (lambda p: tl.optim.RMSProp(p, form="slides"), ValueError, "RMSProp: invalid form"),
    (lambda p: tl.optim.RMSProp(p, momentum=-0.9), ValueError, "RMSProp: invalid momentum -0.9"),
    (lambda p: tl.optim.RMSProp(p, weight_decay=-1e-4), ValueError, "RMSProp: invalid weight_decay -0.0001"),
    (lambda p: tl.optim.RMSProp(p, centered=None), ValueError, "RMSProp: invalid centered None"),
    (lambda p: tl.optim.RMSProp(p, centered=True, form="lecture"), ValueError,
     "form='lecture' (the slide's formula) has no centering and no momentum"),
    (lambda p: tl.optim.RMSProp(p, momentum=0.5, form="lecture"), ValueError, "has no centering and no momentum"),
    (lambda p: tl.optim.Adam(p, betas=(1.0, 0.999)), ValueError, "Adam: invalid beta1 1.0"),
    (lambda p: tl.optim.Adam(p, betas=(0.9, -0.1)), ValueError, "Adam: invalid beta2 -0.1"),
    (lambda p: tl.optim.Adam(p, betas=0.9), ValueError, "Adam: betas must be a pair"),
    (lambda p: tl.optim.AdamW(p, weight_decay=-0.01), ValueError, "AdamW: invalid weight_decay"),
    (lambda p: tl.optim.Adam(p, eps=-1e-8), ValueError, "Adam: invalid eps -1e-08"),
    (lambda p: tl.optim.Adam(p, amsgrad="False"), ValueError, "Adam: invalid amsgrad 'False'"),
    (lambda p: tl.optim.AdamW(p, maximize=0), ValueError, "AdamW: invalid maximize 0"),
    (lambda p: tl.optim.Adam([{"params": set(p)}]), TypeError, "ordered collection"),
    (lambda p: tl.optim.Adam([{"params": p, "lr": -1.0}]), ValueError, "Adam: invalid learning rate -1.0"),
    (lambda p: tl.optim.Adam([{"params": p, "momentum": 0.9}]), TypeError, "unknown hyper-parameter"),
]


@pytest.mark.parametrize("make, error, message", BAD_HYPERPARAMETERS)
def test_bad_hyperparameters_raise_naming_the_class_and_value(make, error, message, device):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make(parameters(device))


def test_bad_parameter_lists(device):
    w = tl.tensor([1.0], device=device, requires_grad=True)
    with pytest.raises(ValueError, match="SGD: got an empty list of parameters"):
        tl.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="got a single Tensor; wrap it in a list"):
        tl.optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 of group 0 is a ndarray"):
        tl.optim.SGD([w, np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="has dtype int64; only floating-point"):
        tl.optim.Adam([tl.tensor([1, 2], device=device)])
    with pytest.raises(ValueError, match="appears more than once"):
        tl.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        tl.optim.SGD([w * 2], lr=0.1)


def test_lr_property_reads_group_zero_and_sets_every_group(device):
    w, U = parameters(device)
    opt = tl.optim.Adam([{"params": [w]}, {"params": [U], "lr": 0.5, "betas": (0.5, 0.9)}], lr=0.1)
    assert opt.lr == 0.1
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["betas"] == (0.5, 0.9) and opt.param_groups[0]["betas"] == (0.9, 0.999)
    assert opt.defaults["lr"] == 0.1
    opt.lr = 0.01
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.01]
    with pytest.raises(ValueError, match="Adam: invalid learning rate -1"):
        opt.lr = -1


def test_groups_use_their_own_learning_rates(device):
    w, U = parameters(device)
    w0, U0 = w.cpu().numpy(), U.cpu().numpy()
    opt = tl.optim.SGD([{"params": [w]}, {"params": [U], "lr": 0.0}], lr=0.1)
    compute_gradients(opt, [w, U])
    g = w.grad.cpu().numpy()
    opt.step()
    np.testing.assert_allclose(w.cpu().numpy(), w0 - 0.1 * g)
    np.testing.assert_array_equal(U.cpu().numpy(), U0)


def test_zero_grad_sets_grad_to_none_and_parameters_without_grad_are_skipped(device):
    w, U = parameters(device)
    opt = tl.optim.Adam([w, U], lr=0.1)
    compute_gradients(opt, [w, U])
    U.grad = None
    U0 = U.cpu().numpy()
    opt.step()
    np.testing.assert_array_equal(U.cpu().numpy(), U0)
    assert U not in opt.state and w in opt.state
    opt.zero_grad()
    assert w.grad is None and U.grad is None


@pytest.mark.parametrize("name", ALL)
def test_step_records_no_graph_and_keeps_parameters_as_leaves(name, device):
    params = parameters(device)
    data_before = [p.data for p in params]
    opt = ALL[name](params)
    run(opt, params, 2)
    for p, data in zip(params, data_before):
        assert p.is_leaf and p.requires_grad and p.grad_fn is None
        assert p.data is data  # updated in place: every reference to the parameter sees the change


@pytest.mark.parametrize("name", ALL)
def test_read_only_broadcast_gradients_are_never_written(name, device):
    params = parameters(device)
    opt = ALL[name](params)
    for _ in range(3):
        for p in params:  # a read-only, zero-stride view, as the engine may hand out
            host_grad = np.broadcast_to(np.float64(0.5), p.shape)
            p.grad = tl.tensor(tl.backend.to_device(host_grad, device) if device != "cpu" else host_grad)
        grads_before = [p.grad.cpu().numpy() for p in params]
        opt.step()
        for p, g in zip(params, grads_before):
            np.testing.assert_array_equal(p.grad.cpu().numpy(), g)
            for value in opt.state[p].values():  # state owns its memory, never the gradient's
                if hasattr(value, "shape") and device == "cpu":
                    assert not np.shares_memory(value, p.grad.data)


# --- atomic step ----------------------------------------------------------------------------------

BAD_GRADIENTS = [
    (lambda U: tl.zeros(3, dtype=tl.float64, device=U.device), ValueError,
     r"gradient of parameter 1 in group 0 has shape \(3,\) but the parameter has shape \(2, 2\)"),
    (lambda U: tl.zeros(2, 2, dtype=tl.float32, device=U.device), TypeError,
     "has dtype float32 but the parameter has dtype float64"),
    (lambda U: np.zeros((2, 2)), TypeError, "is a ndarray, expected a Tensor"),
]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("bad, error, message", BAD_GRADIENTS)
def test_a_bad_gradient_raises_before_anything_changes(name, bad, error, message, device):
    params = parameters(device)
    opt = ALL[name](params)
    run(opt, params, 2)  # some state to protect
    compute_gradients(opt, params)
    values_before = [p.cpu().numpy() for p in params]
    state_before = snapshot(opt)
    params[1].grad = bad(params[1])
    with pytest.raises(error, match=message):
        opt.step()
    for p, before in zip(params, values_before):
        np.testing.assert_array_equal(p.cpu().numpy(), before)  # the 1st parameter (valid gradient) too
    after = snapshot(opt)
    for i, state in state_before.items():
        for key, value in state.items():
            np.testing.assert_array_equal(after[i][key], value)


@pytest.mark.parametrize("steps_before", [0, 2], ids=["first_step", "later_step"])
@pytest.mark.parametrize("name", ALL)
def test_running_out_of_memory_part_way_changes_nothing(name, steps_before, device):
    """Making the arrays for the 2nd parameter's update fails (as MemoryError would), after the 1st's were made:
    neither the 1st parameter nor any state may have changed, because nothing is written before every update's
    arrays exist. On the first step that means no state at all."""
    params = parameters(device)
    opt = ALL[name](params)
    run(opt, params, steps_before)
    compute_gradients(opt, params)
    values_before, state_before = [p.cpu().numpy() for p in params], snapshot(opt)
    own_prepare = opt._prepare

    def prepare(p, *needs):
        if p is params[1]:
            raise MemoryError("out of memory")
        return own_prepare(p, *needs)

    opt._prepare = prepare
    with pytest.raises(MemoryError):
        opt.step()
    for p, before in zip(params, values_before):
        np.testing.assert_array_equal(p.cpu().numpy(), before)
    after = snapshot(opt)
    assert after.keys() == state_before.keys()
    for i, state in state_before.items():
        assert set(after[i]) == set(state)
        for key, value in state.items():
            np.testing.assert_array_equal(after[i][key], value)
    del opt._prepare  # the class's own method again: the step now goes through as if nothing had happened
    opt.step()
    assert not np.array_equal(params[0].cpu().numpy(), values_before[0])


@pytest.mark.parametrize("name", ALL)
def test_a_step_after_the_first_allocates_no_arrays(name):
    """The updates run in place in arrays made before: a step allocates nothing the size of a parameter
    (NumPy reports its array memory to tracemalloc), so it cannot run out of memory half-way."""
    tracemalloc = pytest.importorskip("tracemalloc")
    params = [tl.tensor(np.linspace(-1, 1, 200_000), requires_grad=True),
              tl.tensor([0.5, -0.5], dtype=tl.float64, requires_grad=True)]
    opt = ALL[name](params)
    for p in params:
        p.grad = tl.tensor(np.cos(np.arange(p.numel()) * 0.1) + 0.5)  # fixed gradients, 1.6 MB for the first
    opt.step()
    opt.step()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - before < params[0].numel() * 8 / 20, f"{name}: a step allocated {peak - before} bytes"


@pytest.mark.parametrize("key, value, message", [("lr", -1.0, "invalid learning rate -1.0"),
                                                 ("betas", (0.9, 1.2), "invalid beta2 1.2"),
                                                 ("amsgrad", "yes", "invalid amsgrad 'yes'")])
def test_a_setting_changed_by_hand_is_checked_before_the_step(key, value, message, device):
    params = parameters(device)
    opt = tl.optim.Adam([{"params": [params[0]]}, {"params": [params[1]]}], lr=0.1)
    compute_gradients(opt, params)
    before = [p.cpu().numpy() for p in params]
    opt.param_groups[1][key] = value
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        opt.step()
    for p, want in zip(params, before):
        np.testing.assert_array_equal(p.cpu().numpy(), want)
    assert not opt.state


@pytest.mark.skipif(not tl.cuda.is_available(), reason="needs a second device")
def test_a_gradient_on_another_device_raises_before_anything_changes():
    w, U = parameters("cpu")
    opt = tl.optim.SGD([w, U], lr=0.1)
    compute_gradients(opt, [w, U])
    w0 = w.cpu().numpy()
    U.grad = U.grad.to("cuda")
    with pytest.raises(RuntimeError, match="is on cuda but the parameter is on cpu"):
        opt.step()
    np.testing.assert_array_equal(w.cpu().numpy(), w0)


# --- state_dict -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_state_dict_round_trip_continues_the_same_trajectory(name, device):
    params = parameters(device)
    opt = ALL[name](params)
    run(opt, params, 10)
    saved = opt.state_dict()
    saved_values = [p.cpu().numpy() for p in params]
    run(opt, params, 10)  # the original goes on; the snapshot must not change with it
    expected = [p.cpu().numpy() for p in params]

    restored = [tl.tensor(v, device=device, requires_grad=True) for v in saved_values]
    fresh = ALL[name](restored)
    fresh.load_state_dict(saved)
    run(fresh, restored, 10)
    for p, want in zip(restored, expected):
        np.testing.assert_array_equal(p.cpu().numpy(), want)


def test_state_dict_layout_and_loaded_hyperparameters(device):
    params = parameters(device)
    opt = tl.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5}], lr=0.1, momentum=0.9)
    run(opt, params, 1)
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert set(sd["state"][0]) == {"momentum_buffer", "step", "lr"}
    other = tl.optim.SGD([{"params": [params[0]]}, {"params": [params[1]]}], lr=0.3, momentum=0.9)
    other.load_state_dict(sd)
    assert [g["lr"] for g in other.param_groups] == [0.1, 0.5]
    np.testing.assert_array_equal(host(other.state[params[1]]["momentum_buffer"]),
                                  host(opt.state[params[1]]["momentum_buffer"]))


def test_load_state_dict_rejects_a_different_layout(device):
    w, U = parameters(device)
    opt = tl.optim.Adam([w, U], lr=0.1)
    run(opt, [w, U], 1)
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="group 0 of the snapshot has 2 parameters"):
        tl.optim.Adam([w], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="the snapshot has 1 parameter groups"):
        tl.optim.Adam([{"params": [w]}, {"params": [U]}]).load_state_dict(sd)
    swapped = tl.optim.Adam([U, w], lr=0.1)
    with pytest.raises(ValueError, match=r"state 'm' has shape \(3,\) but its parameter has shape \(2, 2\)"):
        swapped.load_state_dict(sd)
