"""DataLoader: every index once per epoch, fresh shuffles, seeds, drop_last, lengths, devices (F09)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.data import DataLoader, Dataset, TensorDataset


def index_data(n: int, device: str = "cpu") -> TensorDataset:
    """Example i is (i, 2i + 0.5): batches show which indices they hold, and that fields stay paired."""
    return TensorDataset(tl.arange(n, device=device), tl.tensor(2 * np.arange(n) + 0.5, device=device))


def epoch(loader) -> list[list[int]]:
    batches = []
    for i, x in loader:
        np.testing.assert_array_equal(x.cpu().numpy(), 2 * i.cpu().numpy() + 0.5)
        batches.append(i.tolist())
    return batches


@pytest.mark.parametrize("n, batch_size, drop_last, sizes", [
    (20, 5, False, [5, 5, 5, 5]),
    (23, 5, False, [5, 5, 5, 5, 3]),
    (23, 5, True, [5, 5, 5, 5]),
    (3, 5, False, [3]),
    (3, 5, True, []),
    (7, 1, False, [1] * 7),
])
@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_cover_every_index_once_per_epoch(n, batch_size, drop_last, sizes, shuffle, device):
    loader = DataLoader(index_data(n, device), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=0)
    assert len(loader) == len(sizes)
    for _ in range(2):
        batches = epoch(loader)
        assert [len(b) for b in batches] == sizes
        seen = sum(batches, [])
        assert len(set(seen)) == len(seen)  # disjoint
        if not drop_last:
            assert sorted(seen) == list(range(n))  # and complete
        if not shuffle:
            assert seen == list(range(len(seen)))


def test_shuffle_draws_a_fresh_permutation_every_epoch():
    loader = DataLoader(index_data(20), batch_size=5, shuffle=True, seed=0)
    first, second = epoch(loader), epoch(loader)
    assert first != second
    assert sorted(sum(first, [])) == sorted(sum(second, [])) == list(range(20))
    in_order = DataLoader(index_data(20), batch_size=5)
    assert epoch(in_order) == epoch(in_order)


def test_same_seed_same_permutations_different_seed_different():
    a = DataLoader(index_data(50), batch_size=8, shuffle=True, seed=3)
    b = DataLoader(index_data(50), batch_size=8, shuffle=True, seed=3)
    c = DataLoader(index_data(50), batch_size=8, shuffle=True, seed=4)
    for _ in range(3):
        ea, eb, ec = epoch(a), epoch(b), epoch(c)
        assert ea == eb and ea != ec


def test_same_seed_different_batch_sizes_walk_the_same_permutation():
    small = DataLoader(index_data(30), batch_size=4, shuffle=True, seed=7)
    large = DataLoader(index_data(30), batch_size=11, shuffle=True, seed=7)
    for _ in range(3):
        assert sum(epoch(small), []) == sum(epoch(large), [])


def test_seed_none_follows_manual_seed():
    def two_epochs():
        tl.manual_seed(123)
        loader = DataLoader(index_data(15), batch_size=4, shuffle=True)
        return epoch(loader) + epoch(loader)
    assert two_epochs() == two_epochs()


def test_tensor_dataset_is_batched_without_reading_examples_one_by_one(monkeypatch):
    data = index_data(10)

    def no_item_access(self, index):
        raise AssertionError("the loader read a single example")
    monkeypatch.setattr(TensorDataset, "__getitem__", no_item_access)
    assert [len(b) for b in epoch(DataLoader(data, batch_size=4, shuffle=True, seed=0))] == [4, 4, 2]


def test_batches_are_moved_to_the_requested_device(device):
    X = np.random.default_rng(0).standard_normal((10, 3)).astype(np.float32)
    y = np.arange(10)
    for (xb, yb) in DataLoader(TensorDataset(X, y), batch_size=4, device=device):
        assert xb.device == device and yb.device == device
        assert xb.dtype == tl.float32 and yb.dtype == tl.int64
        assert not xb.requires_grad
    on_device = TensorDataset(tl.tensor(X, device=device), tl.tensor(y, device=device))
    (xb, yb), *_ = DataLoader(on_device, batch_size=4, shuffle=True, seed=0)  # device=None keeps it
    assert xb.device == device
    np.testing.assert_array_equal(xb.cpu().numpy(), X[yb.cpu().numpy()])


class Squares(Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), i % 2


class Single(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return tl.tensor([float(i)])


def test_other_datasets_go_through_the_default_collate(device):
    loader = DataLoader(Squares(), batch_size=3, shuffle=True, seed=0, device=device)
    assert len(loader) == 3
    seen = []
    for x, parity in loader:
        assert x.device == device and x.dtype == tl.float32 and parity.dtype == tl.int64
        i = x.cpu().numpy()[:, 0].astype(int)
        np.testing.assert_array_equal(x.cpu().numpy()[:, 1], i * i)
        np.testing.assert_array_equal(parity.cpu().numpy(), i % 2)
        seen += i.tolist()
    assert sorted(seen) == list(range(7))
    (batch,) = list(DataLoader(Single(), batch_size=5))  # single-field examples give a Tensor
    assert isinstance(batch, tl.Tensor) and batch.shape == (5, 1)


def test_collate_errors_name_the_field():
    with pytest.raises(ValueError, match=r"collate: cannot stack field 0 of the examples \(shapes \(2,\), \(3,\)\)"):
        tl.data.collate([(np.zeros(2), 0), (np.zeros(3), 1)])


@pytest.mark.parametrize("batch_size", [0, -3, 2.5, True, "8"])
def test_bad_batch_size_raises(batch_size):
    with pytest.raises(ValueError, match=f"DataLoader: invalid batch_size {batch_size!r}"):
        DataLoader(index_data(5), batch_size=batch_size)


def test_bad_dataset_and_device_raise():
    with pytest.raises(TypeError, match="DataLoader: dataset must have __len__ and __getitem__"):
        DataLoader(42)
    with pytest.raises(ValueError, match="unknown device 'gpu'"):
        DataLoader(index_data(5), device="gpu")


def test_tensor_dataset_checks_its_inputs():
    with pytest.raises(ValueError, match=r"different lengths \[3, 4\] \(shapes \(3, 2\), \(4,\)\)"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="input 1 is a scalar"):
        TensorDataset(np.zeros(3), 5.0)
    with pytest.raises(ValueError, match="expected at least one"):
        TensorDataset()
    data = TensorDataset([[1.0, 2.0], [3.0, 4.0]], tl.tensor([0, 1]))
    assert len(data) == 2 and data.tensors[0].dtype == tl.float32
    x, y = data[1]
    assert x.tolist() == [3.0, 4.0] and y.item() == 1
