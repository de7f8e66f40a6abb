"""Saving and loading state dicts as ``.npz`` files: NumPy's zip of named arrays, never pickle.

Pickle files can run arbitrary code when loaded, so tinygrad_lite stores only numbers: each entry of
the state dict becomes one array in the archive under its own name, readable without tinygrad_lite
(``numpy.load("model.npz")["0.weight"]``).

>>> import os, tempfile
>>> import tinygrad_lite as tl
>>> model = tl.nn.Linear(2, 1)
>>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
>>> tl.save(model.state_dict(), path)
>>> model.load_state_dict(tl.load(path))
IncompatibleKeys(missing_keys=[], unexpected_keys=[])
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import backend
from .tensor import Tensor


def save(obj: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Write a state dict (names → Tensors, arrays or numbers) to ``path`` as an ``.npz`` archive.

    The file is written at exactly ``path`` (no ``.npz`` appended), laid out as ``numpy.savez`` would.
    Tensors on "cuda" are copied to the host first. The archive is written to a temporary file next to
    ``path`` and then renamed over it, so a save that fails half-way (a full disk, an interrupted run)
    never destroys the checkpoint that was there before.
    """
    if not isinstance(obj, Mapping):
        raise TypeError(f"save: expected a state dict (a mapping of names to tensors), got {type(obj).__name__}")
    arrays: dict[str, np.ndarray] = {}
    for name, value in obj.items():
        if not isinstance(name, str):
            raise TypeError(f"save: keys must be strings, got {name!r}")
        array = backend.to_host(value.data) if isinstance(value, Tensor) else value
        if backend.is_backend_array(array):
            array = backend.to_host(array)
        array = np.asarray(array)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"save: entry {name!r} has dtype {array.dtype}; only numbers and booleans can be saved")
        arrays[name] = array
    partial = f"{os.fspath(path)}.partial"
    try:
        # the same layout as np.savez (one "<name>.npy" member per entry), written here because savez takes
        # the names as keyword arguments, where entries named "file" or "allow_pickle" would collide
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for name, array in arrays.items():
                # the member's size is unknown until written: zip64 lets it pass 2 GiB, as in np.savez
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, array, allow_pickle=False)
        os.replace(partial, path)  # atomic: readers see the old file or the new one, never half of one
    except OSError as error:
        raise type(error)(f"save: cannot write {os.fspath(path)!r} ({error.strerror or error})") from None
    finally:
        if os.path.exists(partial):  # only after a failure: a successful save renamed it
            os.remove(partial)


def load(path: str | os.PathLike) -> dict[str, Tensor]:
    """Read a file written by :func:`save`: a dict of names → Tensors on "cpu", in the saved order.

    A missing file raises ``FileNotFoundError`` (an ``OSError``); a file that is not a valid ``.npz``
    archive of numeric arrays raises ``ValueError``; both name the path.
    """
    where = repr(os.fspath(path))
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file: {where}")
    try:
        with open(path, "rb") as file:  # closed by us, also when NumPy rejects the contents
            archive = np.load(file, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ValueError("it holds a single array, not a named archive")
            with archive:
                return {name: Tensor(archive[name]) for name in archive.files}
    except (ValueError, OSError, EOFError, KeyError, TypeError, zipfile.BadZipFile) as error:
        raise ValueError(f"load: {where} is not a valid .npz state dict written by tl.save ({error})") from None
