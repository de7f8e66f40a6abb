"""Checkpoints resume a run exactly: 20 steps straight equal 10 steps, a save, a load into fresh objects and
10 more steps, bit for bit. And a save killed half-way (SIGKILL) leaves the previous checkpoint loadable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import tinygrad_lite as tl
import tinygrad_lite.nn as nn
from tinygrad_lite.optim import lr_scheduler as S

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

OPTIMIZERS = {
    "sgd": lambda p: tl.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adam": lambda p: tl.optim.Adam(p, lr=0.01, amsgrad=True),
    "adamw": lambda p: tl.optim.AdamW(p, lr=0.01),
    "rmsprop": lambda p: tl.optim.RMSProp(p, lr=0.01, centered=True, momentum=0.5),
    "adagrad": lambda p: tl.optim.Adagrad(p, lr=0.05, lr_decay=0.01),
    "momentum": lambda p: tl.optim.Momentum(p, lr=0.02),
}


def data():
    rng = np.random.default_rng(1)
    return tl.data.TensorDataset(rng.standard_normal((26, 5)).astype(np.float32), rng.integers(0, 3, 26))


class Run:
    """Everything a training run holds, built fresh (from a seed other runs do not share)."""

    def __init__(self, optimizer: str, loader_seed, device, init_seed: int):
        tl.manual_seed(init_seed)
        self.model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Dropout(0.2), nn.Linear(8, 3)).to(device)
        self.opt = OPTIMIZERS[optimizer](self.model.parameters())
        decay = S.CosineAnnealingLR(self.opt, T_max=15, eta_min=1e-4)
        self.scheduler = S.LinearWarmup(self.opt, warmup_steps=4, after=decay)
        # 26 examples in batches of 4: 7 batches an epoch, so step 10 is in the middle of the second epoch
        self.loader = tl.data.DataLoader(data(), batch_size=4, shuffle=True, seed=loader_seed, device=device)
        self.batches = self._forever()
        self.seen: list[list[float]] = []
        self.rates: list[float] = []

    def _forever(self):
        while True:
            yield from self.loader

    def train(self, steps: int) -> None:
        for _ in range(steps):
            x, y = next(self.batches)
            self.seen.append(x.cpu().numpy()[:, 0].tolist())
            self.rates.append(self.opt.lr)
            self.opt.zero_grad()
            tl.nn.functional.cross_entropy(self.model(x), y).backward()
            self.opt.step()
            self.scheduler.step()

    def checkpoint(self) -> dict:
        return {"model": self.model.state_dict(), "optimizer": self.opt.state_dict(),
                "scheduler": self.scheduler.state_dict(), "loader": self.loader.state_dict(),
                "rng": tl.get_rng_state(), "step": len(self.seen)}

    def resume(self, checkpoint: dict) -> None:
        self.model.load_state_dict(checkpoint["model"])
        self.opt.load_state_dict(checkpoint["optimizer"])
        self.scheduler.load_state_dict(checkpoint["scheduler"])
        self.loader.load_state_dict(checkpoint["loader"])
        tl.set_rng_state(checkpoint["rng"])


def host_state(opt) -> list[dict]:
    return [{k: tl.backend.to_host(v) if tl.backend.is_backend_array(v) else v for k, v in s.items()}
            for s in opt.state.values()]


@pytest.mark.parametrize("loader_seed", [None, 7], ids=["global_generator", "seeded_loader"])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_save_and_resume_equals_training_straight_through(optimizer, loader_seed, tmp_path, device):
    straight = Run(optimizer, loader_seed, device, init_seed=0)
    straight.train(20)
    straight_rng = tl.get_rng_state()  # after every dropout mask of the 20 steps

    first = Run(optimizer, loader_seed, device, init_seed=0)
    first.train(10)
    tl.save(first.checkpoint(), tmp_path / "run.ckpt")
    del first

    resumed = Run(optimizer, loader_seed, device, init_seed=123)  # fresh objects, other weights, other rng
    checkpoint = tl.load(tmp_path / "run.ckpt")
    resumed.resume(checkpoint)
    resumed.seen, resumed.rates = [None] * checkpoint["step"], [None] * checkpoint["step"]
    resumed.train(10)

    assert resumed.seen[10:] == straight.seen[10:]  # the same batches in the same order
    assert resumed.rates[10:] == straight.rates[10:]
    assert resumed.opt.lr == straight.opt.lr and resumed.scheduler.state_dict() == straight.scheduler.state_dict()
    for (name, p), q in zip(straight.model.named_parameters(), resumed.model.parameters()):
        np.testing.assert_array_equal(q.cpu().numpy(), p.cpu().numpy(), err_msg=name)
    for want, got in zip(host_state(straight.opt), host_state(resumed.opt)):
        assert list(want) == list(got)
        for key in want:
            np.testing.assert_array_equal(got[key], want[key], err_msg=key)
    assert tl.get_rng_state() == straight_rng  # the resumed run drew the same random numbers
    assert resumed.loader.state_dict()["epoch"] == straight.loader.state_dict()["epoch"] == 3


def test_resuming_at_an_epoch_boundary_starts_the_next_epoch(tmp_path):
    straight = Run("sgd", 3, "cpu", init_seed=0)
    straight.train(14)  # exactly two epochs, then the first batch of the third
    first = Run("sgd", 3, "cpu", init_seed=0)
    first.train(7)
    resumed = Run("sgd", 3, "cpu", init_seed=5)
    resumed.resume(first.checkpoint())
    resumed.train(7)
    assert resumed.seen == straight.seen[7:]


def test_loader_state_refuses_another_loader():
    loader = tl.data.DataLoader(data(), batch_size=4, shuffle=True, seed=1)
    next(iter(loader))
    state = loader.state_dict()
    with pytest.raises(ValueError, match="over 26 examples in batches of 4; this one has 26 in batches of 5"):
        tl.data.DataLoader(data(), batch_size=5, shuffle=True, seed=1).load_state_dict(state)
    with pytest.raises(ValueError, match="a loader with a seed; this one has seed=None"):
        tl.data.DataLoader(data(), batch_size=4, shuffle=True).load_state_dict(state)
    with pytest.raises(ValueError, match="not a permutation"):
        tl.data.DataLoader(data(), batch_size=4, seed=1).load_state_dict({**state, "order": np.zeros(26, int)})
    with pytest.raises(ValueError, match="invalid epoch -1"):
        tl.data.DataLoader(data(), batch_size=4, seed=1).load_state_dict({**state, "epoch": -1})
    with pytest.raises(ValueError, match="expected a dict with the keys"):
        tl.data.DataLoader(data(), batch_size=4, seed=1).load_state_dict({"epoch": 1})


WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    import tinygrad_lite as tl
    path = sys.argv[1]
    for i in range(10 ** 6):
        # ~16 MB a checkpoint, every entry marked with i, so a mixed file would show
        tl.save({"i": i, "w": tl.tensor(np.full(2_000_000, float(i))), "state": {0: np.full(10, i)}}, path)
        print(i, flush=True)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_a_save_killed_half_way_leaves_the_previous_checkpoint(tmp_path):
    path = tmp_path / "run.ckpt"
    rng = np.random.default_rng(0)
    left_behind = 0
    for _ in range(20):  # until two kills have landed inside a save (a kill between saves tests less)
        if left_behind >= 2:
            break
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                                  text=True, env={**os.environ, "PYTHONPATH": ROOT})
        assert writer.stdout is not None
        done = int(writer.stdout.readline())  # one save finished: from now on a checkpoint must always load
        time.sleep(float(rng.uniform(0.0, 0.15)))  # somewhere in a later save
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        finished = [done, *map(int, writer.stdout.read().split())]
        loaded = tl.load(path)
        assert loaded["i"] >= finished[-1]  # the last finished save, or one that finished just before the kill
        np.testing.assert_array_equal(loaded["w"].numpy(), float(loaded["i"]))
        np.testing.assert_array_equal(loaded["state"][0], loaded["i"])
        partial = [name for name in os.listdir(tmp_path) if name.endswith(".partial")]
        left_behind += len(partial)
        for name in partial:  # what a killed save leaves: a temporary file, never the checkpoint itself
            os.remove(tmp_path / name)
    assert left_behind >= 1, "no kill landed inside a save; the test did not test anything"
