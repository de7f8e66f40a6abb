"""MNIST and Fashion-MNIST as Datasets, in torchvision's shape: ``tl.data.MNIST(root, train=True, download=False)``.

The four standard files (IDX format, gzip-compressed) live in ``root/<ClassName>/raw/``, the folder
torchvision uses, so files it downloaded are found too. Nothing is fetched unless ``download=True``;
then each file is tried from the class's ``mirrors`` in order, streamed to a temporary file next to
its final place, checked against the SHA-256 in ``resources`` and only then renamed into place. An
interrupted or corrupted download therefore never leaves a file with the real name behind.

The checksums are those of the ``.gz`` files the mirrors serve (the same files torchvision checks by MD5).
A file unpacked by hand (the name without ``.gz``) is also read; it has no published checksum, so only
its IDX header and size are checked.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .dataset import Dataset
from .datasets import load_idx

_CHUNK = 1 << 16


def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, as 64 hexadecimal digits (what ``sha256sum`` prints)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


class MNIST(Dataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images of 28×28 pixels, labels 0 … 9.

    - ``root``: the data folder; the files are read from (and downloaded to) ``root/MNIST/raw/``.
    - ``train``: the training set (True) or the test set (False).
    - ``download``: fetch the files that are missing from ``mirrors`` (tried in order). Without it a
      missing file is an error that says where to put it.
    - ``transform``: applied to each image array as it is read, e.g. ``lambda x: x.reshape(-1)``.

    ``data`` holds the images as uint8 (n, 28, 28) and ``targets`` the labels as int64 (n,), as in
    torchvision. ``dataset[i]`` is ``(image, label)``: the image as float32 (1, 28, 28) scaled to
    [0, 1] (what torchvision's ``ToTensor`` makes of it; torchvision without a transform gives a PIL
    image) and the label as an int. Every file is checked against the SHA-256 in ``resources`` before
    it is read; a mismatch is an error naming the file.

    >>> import tinygrad_lite as tl
    >>> train = tl.data.MNIST("data", download=True)            # doctest: +SKIP
    >>> train.data.shape, train.data.dtype, train[0][0].shape   # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), (1, 28, 28))
    """

    mirrors: ClassVar[list[str]] = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources: ClassVar[list[tuple[str, str]]] = [
        ("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
        ("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        ("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        ("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    ]
    classes: ClassVar[list[str]] = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
                                    "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root: str | os.PathLike, train: bool = True, download: bool = False,
                 transform: Callable[[np.ndarray], Any] | None = None):
        self.root = os.fspath(root)
        self.train = train
        self.transform = transform
        if download:
            self.download()
        prefix = "train" if train else "t10k"
        images_file, labels_file = (self._find(f"{prefix}-{kind}") for kind in ("images-idx3", "labels-idx1"))
        self.data = self._read(images_file, ndim=3)
        self.targets = self._read(labels_file, ndim=1).astype(np.int64)
        if len(self.data) != len(self.targets):
            raise ValueError(f"{self._name}: {images_file} holds {len(self.data)} images but {labels_file} "
                             f"{len(self.targets)} labels")
        if self.targets.size and self.targets.max() >= len(self.classes):
            raise ValueError(f"{self._name}: {labels_file} holds label {self.targets.max()}; expected labels "
                             f"0 … {len(self.classes) - 1}")

    @property
    def _name(self) -> str:
        return type(self).__name__

    @property
    def raw_folder(self) -> str:
        """Where the files are read from and downloaded to: ``root/<ClassName>/raw``, as in torchvision."""
        return os.path.join(self.root, self._name, "raw")

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = (self.data[index] / np.float32(255)).astype(np.float32)[None]  # (1, 28, 28) in [0, 1]
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def _find(self, stem: str) -> str:
        """The file for ``stem`` (e.g. "train-images-idx3"), verified: the .gz (checked) or an unpacked copy."""
        matches = [(name, sha256) for name, sha256 in self.resources if name.startswith(stem)]
        if not matches:
            raise ValueError(f"{self._name}: resources name no file starting with {stem!r}")
        name, sha256 = matches[0]
        packed = os.path.join(self.raw_folder, name)
        unpacked = packed[:-3] if packed.endswith(".gz") else None
        if os.path.exists(packed):
            self._verify(packed, sha256)
            return packed
        if unpacked is not None and os.path.exists(unpacked):
            return unpacked
        raise FileNotFoundError(
            f"{self._name}: {name} is not in {self.raw_folder}; pass download=True to fetch it, or download it "
            f"by hand from {self.mirrors[0] if self.mirrors else 'a mirror'}{name} and put it there")

    def _verify(self, path: str, sha256: str) -> None:
        actual = sha256_of(path)
        if actual != sha256:
            raise ValueError(f"{self._name}: {path} fails its checksum (sha256 {actual}, expected {sha256}): the "
                             "file is corrupted or not the standard one; delete it and download it again")

    def _read(self, path: str, ndim: int) -> np.ndarray:
        array = load_idx(path)
        if array.dtype != np.uint8 or array.ndim != ndim:
            expected = "(n, rows, cols) images" if ndim == 3 else "(n,) labels"
            raise ValueError(f"{self._name}: {path} holds {array.dtype} of shape {array.shape}; expected uint8 "
                             f"{expected}")
        return array

    def download(self) -> None:
        """Fetch every file of ``resources`` that is not in ``raw_folder`` yet, verified and written atomically.

        Each mirror is tried in order; a file whose SHA-256 does not match is thrown away and the next
        mirror tried. When no mirror delivers, the error lists what each one answered and where the file
        can be put by hand. A file already there is verified, not fetched again.
        """
        os.makedirs(self.raw_folder, exist_ok=True)
        for name, sha256 in self.resources:
            path = os.path.join(self.raw_folder, name)
            if os.path.exists(path):
                self._verify(path, sha256)
                continue
            failures = []
            for mirror in self.mirrors:
                url = mirror + name
                try:
                    self._fetch(url, path, sha256)
                    break
                # URLError, HTTPError and timeouts are OSErrors; a connection cut short is an HTTPException
                except (OSError, ValueError, http.client.HTTPException) as error:
                    failures.append(f"{url}: {error}")
            else:
                tried = "\n  ".join(failures) or "(no mirrors)"
                raise RuntimeError(f"{self._name}: could not download {name}; tried\n  {tried}\n"
                                   f"Without network access, download {name} by hand (from any of the mirrors above) "
                                   f"and put it in {self.raw_folder}")

    def _fetch(self, url: str, path: str, sha256: str) -> None:
        """Stream ``url`` into a temporary file beside ``path``, check its SHA-256, then rename it to ``path``."""
        folder, name = os.path.split(path)
        descriptor, partial = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
        try:
            digest = hashlib.sha256()
            with os.fdopen(descriptor, "wb") as out, urllib.request.urlopen(url, timeout=30) as response:
                for block in iter(lambda: response.read(_CHUNK), b""):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != sha256:
                raise ValueError(f"the download's sha256 is {digest.hexdigest()}, expected {sha256}")
            os.replace(partial, path)
        finally:
            if os.path.exists(partial):
                os.remove(partial)


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: MNIST's sizes and file format, ten kinds of clothing instead of digits.

    The same arguments and attributes as :class:`MNIST`; the files live in ``root/FashionMNIST/raw/``.

    >>> import tinygrad_lite as tl
    >>> tl.data.FashionMNIST.classes[:3]
    ['T-shirt/top', 'Trouser', 'Pullover']
    """

    mirrors: ClassVar[list[str]] = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources: ClassVar[list[tuple[str, str]]] = [
        ("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
        ("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
        ("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
        ("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
    ]
    classes: ClassVar[list[str]] = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                    "Sneaker", "Bag", "Ankle boot"]
