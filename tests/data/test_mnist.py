"""tl.data.MNIST / FashionMNIST against IDX files written by the test and served by a local HTTP server.

The server runs in a thread for the test that asks for it; the classes' ``mirrors`` and ``resources``
are pointed at it and at the checksums of the generated files, so no test touches the network.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import socket
import struct
import threading

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.data import MNIST, FashionMNIST

NAMES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz")


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    return bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape) + array.tobytes()


def make_files(rng, n_train: int = 12, n_test: int = 5) -> dict[str, bytes]:
    """The four files of a tiny MNIST, gzip-compressed, by name; the arrays ride along under the keys 'arrays'."""
    arrays = {"train": (rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
                        rng.integers(0, 10, n_train, dtype=np.uint8)),
              "t10k": (rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
                       rng.integers(0, 10, n_test, dtype=np.uint8))}
    files = {}
    for prefix, (images, labels) in arrays.items():
        files[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(idx_bytes(images), mtime=0)
        files[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(idx_bytes(labels), mtime=0)
    return files, arrays


class Server:
    """Files served over HTTP from memory; ``requests`` records every path asked for."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.cut_short: set[str] = set()  # paths whose answer announces more bytes than it sends
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if self.path in server.cut_short else body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def tiny(monkeypatch, server, rng):
    """A tiny MNIST on the local server under /mnist/, with the classes pointed at it."""
    files, arrays = make_files(rng)
    for name, body in files.items():
        server.files[f"/mnist/{name}"] = body
    for cls in (MNIST, FashionMNIST):
        monkeypatch.setattr(cls, "mirrors", [f"{server.url}/mnist/"])
        monkeypatch.setattr(cls, "resources", [(name, hashlib.sha256(files[name]).hexdigest()) for name in NAMES])
    return files, arrays


def raw(root, cls=MNIST):
    return root / cls.__name__ / "raw"


def test_download_verifies_and_reads_the_files(tmp_path, tiny, server):
    files, arrays = tiny
    train = MNIST(tmp_path, download=True)
    test = MNIST(tmp_path, train=False)
    assert sorted(os.listdir(raw(tmp_path))) == sorted(NAMES)  # nothing else left behind
    for dataset, (images, labels) in ((train, arrays["train"]), (test, arrays["t10k"])):
        assert dataset.data.dtype == np.uint8 and dataset.targets.dtype == np.int64
        np.testing.assert_array_equal(dataset.data, images)
        np.testing.assert_array_equal(dataset.targets, labels)
        assert len(dataset) == len(labels)
    image, label = train[3]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and label == int(arrays["train"][1][3])
    np.testing.assert_allclose(image[0], arrays["train"][0][3] / 255.0, rtol=1e-6)  # ToTensor's scaling
    assert image.min() >= 0 and image.max() <= 1
    assert len(server.requests) == 4
    MNIST(tmp_path, download=True)  # files already there: verified, not fetched again
    assert len(server.requests) == 4


def test_batches_through_a_dataloader_and_transform(tmp_path, tiny):
    train = MNIST(tmp_path, download=True, transform=lambda x: x.reshape(-1))
    xb, yb = next(iter(tl.data.DataLoader(train, batch_size=5)))
    assert xb.shape == (5, 784) and xb.dtype == tl.float32 and yb.dtype == tl.int64


def test_mirrors_are_tried_in_order(tmp_path, tiny, server, monkeypatch):
    monkeypatch.setattr(MNIST, "mirrors", [f"{server.url}/missing/", f"{server.url}/mnist/"])
    MNIST(tmp_path, download=True)
    assert server.requests[:2] == [f"/missing/{NAMES[0]}", f"/mnist/{NAMES[0]}"]


def test_fashion_mnist_has_its_own_folder_and_classes(tmp_path, tiny):
    fashion = FashionMNIST(tmp_path, train=False, download=True)
    assert (raw(tmp_path, FashionMNIST) / NAMES[2]).is_file() and not raw(tmp_path).exists()
    assert len(fashion) == 5 and FashionMNIST.classes[9] == "Ankle boot" and len(MNIST.classes) == 10


def test_missing_files_without_download_say_where_they_go(tmp_path, tiny, server):
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte.gz is not in .*MNIST.raw.*download=True"):
        MNIST(tmp_path)
    assert server.requests == []  # download=False never touches the network


def test_unpacked_files_are_read_too(tmp_path, tiny):
    files, arrays = tiny
    folder = raw(tmp_path)
    folder.mkdir(parents=True)
    for name in NAMES[2:]:
        (folder / name[:-3]).write_bytes(gzip.decompress(files[name]))
    np.testing.assert_array_equal(MNIST(tmp_path, train=False).data, arrays["t10k"][0])


def test_a_corrupted_download_leaves_nothing_that_looks_valid(tmp_path, tiny, server):
    files, _ = tiny
    server.files[f"/mnist/{NAMES[1]}"] = b"\x1f\x8b not the real file"
    with pytest.raises(RuntimeError, match=f"(?s)could not download {NAMES[1]}.*sha256.*by hand"):
        MNIST(tmp_path, download=True)
    assert sorted(os.listdir(raw(tmp_path))) == [NAMES[0]]  # the good file stays; no partial file


def test_an_interrupted_download_leaves_nothing_behind(tmp_path, tiny, server):
    server.cut_short.add(f"/mnist/{NAMES[0]}")
    with pytest.raises(RuntimeError, match=f"could not download {NAMES[0]}"):
        MNIST(tmp_path, download=True)
    assert os.listdir(raw(tmp_path)) == []


def test_an_existing_file_that_fails_its_checksum_is_named(tmp_path, tiny):
    files, _ = tiny
    MNIST(tmp_path, download=True)
    path = raw(tmp_path) / NAMES[0]
    path.write_bytes(files[NAMES[0]][:-10])
    for download in (False, True):
        with pytest.raises(ValueError, match=f"{path} fails its checksum"):
            MNIST(tmp_path, download=download)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_network_says_where_to_put_the_files(tmp_path, tiny, monkeypatch):
    monkeypatch.setattr(MNIST, "mirrors", [f"http://127.0.0.1:{_closed_port()}/mnist/"])
    with pytest.raises(RuntimeError) as error:
        MNIST(tmp_path, download=True)
    message = str(error.value)
    assert "could not download train-images-idx3-ubyte.gz" in message and "by hand" in message
    assert str(raw(tmp_path)) in message
    assert os.listdir(raw(tmp_path)) == []


def _serve(monkeypatch, server, files: dict[str, bytes]) -> None:
    for name, body in files.items():
        server.files[f"/bad/{name}"] = body
    monkeypatch.setattr(MNIST, "mirrors", [f"{server.url}/bad/"])
    monkeypatch.setattr(MNIST, "resources", [(name, hashlib.sha256(files[name]).hexdigest()) for name in NAMES])


@pytest.mark.parametrize("damage, message", [
    (lambda raw_bytes: raw_bytes[:-100], "holds .* bytes of data, but its header announces shape"),   # truncated data
    (lambda raw_bytes: raw_bytes[:10], "is truncated: its header announces 3 dimensions"),            # cut header
    (lambda raw_bytes: b"\x00\x00\x99\x03" + raw_bytes[4:], "is not an IDX file"),                    # bad type code
    (lambda raw_bytes: raw_bytes[:2] + b"\x0d" + raw_bytes[3:], "holds float32 .* expected uint8"),  # wrong dtype
])
def test_malformed_idx_files_are_clear_errors(tmp_path, monkeypatch, server, rng, damage, message):
    files, _ = make_files(rng)
    plain = gzip.decompress(files[NAMES[0]])
    if "float32" in message:  # a well-formed float file has 4 bytes per value
        plain = plain[:16] + plain[16:] * 4
    files[NAMES[0]] = gzip.compress(damage(plain), mtime=0)
    _serve(monkeypatch, server, files)
    with pytest.raises(ValueError, match=f"train-images-idx3-ubyte.gz .*{message}"):
        MNIST(tmp_path, download=True)


def test_truncated_gzip_and_mismatched_counts_are_clear_errors(tmp_path, monkeypatch, server, rng):
    files, _ = make_files(rng)
    files[NAMES[0]] = files[NAMES[0]][: len(files[NAMES[0]]) // 2]
    _serve(monkeypatch, server, files)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz: corrupted gzip data"):
        MNIST(tmp_path / "a", download=True)
    files, _ = make_files(rng)
    files[NAMES[1]] = gzip.compress(idx_bytes(np.zeros(11, np.uint8)), mtime=0)
    _serve(monkeypatch, server, files)
    with pytest.raises(ValueError, match="holds 12 images but .*train-labels-idx1-ubyte.gz 11 labels"):
        MNIST(tmp_path / "b", download=True)
    files[NAMES[1]] = gzip.compress(idx_bytes(np.full(12, 10, np.uint8)), mtime=0)
    _serve(monkeypatch, server, files)
    with pytest.raises(ValueError, match="holds label 10; expected labels 0 … 9"):
        MNIST(tmp_path / "c", download=True)


def test_the_published_checksums_are_well_formed():
    for cls in (MNIST, FashionMNIST):
        assert [name for name, _ in cls.resources] == list(NAMES)
        assert all(len(sha) == 64 and int(sha, 16) >= 0 for _, sha in cls.resources)
        assert cls.mirrors and all(url.endswith("/") for url in cls.mirrors)
