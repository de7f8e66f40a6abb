"""F50: LeNet-5 on the offline digits reaches 97% held-out accuracy in under a minute; its parts are checked."""

import numpy as np
from figure_check import run

import tinygrad_lite as tl
from demos.lenet import LeNet5, digits_as_images, random_shift


def test_f50_lenet_reaches_97_percent_on_held_out_digits(tmp_path):
    m = run("F50", tmp_path)
    assert m["final_test_accuracy"] >= 0.97 and m["seconds"] < 60
    assert m["test_examples"] == 359 and m["train_examples"] == 1438
    assert m["parameters"] == 61_706  # LeNet-5: 156 + 2416 + 48120 + 10164 + 850


def test_lenet_shapes_and_inputs():
    assert LeNet5()(tl.zeros(2, 1, 28, 28)).shape == (2, 10)
    images, labels = digits_as_images()
    assert images.shape == (1797, 1, 28, 28) and labels.shape == (1797,)
    assert (images[:, :, :2] == 0).all() and (images[:, :, :, -2:] == 0).all()  # the padding
    np.testing.assert_array_equal(images[0, 0, 2:5, 2:5], np.full((3, 3), images[0, 0, 2, 2]))  # 3×3 blocks
    x = np.arange(2 * 28 * 28, dtype=np.float32).reshape(2, 1, 28, 28)
    shifted = random_shift(x, np.random.default_rng(0), max_shift=2)
    assert shifted.shape == x.shape
    for k in range(2):  # each image is a translate of itself: some 24×24 window matches exactly
        assert any(np.array_equal(shifted[k, 0, 2 - dy:26 - dy, 2 - dx:26 - dx], x[k, 0, 2:26, 2:26])
                   for dy in range(-2, 3) for dx in range(-2, 3))


def test_the_same_code_trains_on_mnist_files(tmp_path):
    """With MNIST-format files in root/MNIST/raw (here unpacked, tiny and random), mnist_if_present finds them
    and the digits' training function runs on them unchanged."""
    import struct

    from demos.lenet import mnist_if_present, train
    assert mnist_if_present(str(tmp_path)) is None
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 8), ("t10k", 4)):
        for kind, array in (("images-idx3", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)),
                            ("labels-idx1", rng.integers(0, 10, n, dtype=np.uint8))):
            header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
            (raw / f"{prefix}-{kind}-ubyte").write_bytes(header + array.tobytes())
    (X, y), (X_test, y_test) = mnist_if_present(str(tmp_path))
    assert X.shape == (8, 1, 28, 28) and X.dtype == np.float32 and 0 <= X.min() and X.max() <= 1
    result = train(LeNet5(), X, y, X_test, y_test, epochs=1, batch_size=4)
    assert len(result["losses"]) == 2 and len(result["test_accuracy"]) == 1
