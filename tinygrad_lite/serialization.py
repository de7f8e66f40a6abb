"""Checkpoints: ``tl.save(obj, path)`` and ``tl.load(path)``, for state dicts and whole training runs. Never pickle.

Pickle files can run arbitrary code when loaded, so tinygrad_lite stores only numbers and one JSON text.
A checkpoint is a zip archive laid out as ``numpy.savez`` writes one: each Tensor or array is a member
``<name>.npy``, named by its place in ``obj`` (``model.0.weight``, ``optimizer.state.0.m``), readable
without tinygrad_lite (``numpy.load("run.ckpt")["model.0.weight"]``); the member ``tinygrad_lite.json``
records the structure around them: dicts (with str or int keys, in order), lists, tuples, Python numbers,
strings and None, and for each tensor its device and ``requires_grad``.

>>> import os, tempfile
>>> import tinygrad_lite as tl
>>> model = tl.nn.Linear(2, 1)
>>> opt = tl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> path = os.path.join(tempfile.mkdtemp(), "run.ckpt")
>>> tl.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, path)
>>> checkpoint = tl.load(path)
>>> checkpoint["epoch"], sorted(checkpoint["model"])
(3, ['bias', 'weight'])
>>> model.load_state_dict(checkpoint["model"])
IncompatibleKeys(missing_keys=[], unexpected_keys=[])

Loading trusts nothing in the file: member names, the structure, every array header and every claimed
size are checked before anything is read, and whatever does not fit raises ``ValueError`` naming the
file. Files written by earlier versions (a flat ``.npz`` of arrays, no structure member) still load.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import tempfile
import zipfile
from collections.abc import Mapping
from typing import Any, NamedTuple, cast

import numpy as np

from . import backend
from .tensor import Tensor

STRUCTURE = "tinygrad_lite.json"  # the archive member that records the structure
FORMAT = "tinygrad_lite checkpoint"
VERSION = 1
MAX_DEPTH = 100  # nesting levels of dicts, lists and tuples (a deeper file is refused, not a RecursionError)
MAX_STRUCTURE_BYTES = 64 * 2 ** 20
MAX_NPY_HEADER_BYTES = 10_000  # NumPy's own limit for the header of an .npy file
ARRAY_KINDS = "biufc"  # bool, int, unsigned, float, complex: plain numbers only
_SAFE_MEMBER = re.compile(r"[A-Za-z0-9_+\-][A-Za-z0-9_.+\-]*\.npy")  # no '/', '\\', ':' or leading '.'
_UNSAFE_CHARACTER = re.compile(r"[^A-Za-z0-9_.+\-]")


# --- saving -------------------------------------------------------------------------------------


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write ``obj`` to ``path``: nested dicts (str or int keys), lists and tuples of Tensors, arrays,
    Python numbers (int, float, bool), strings and None, which is everything a module's, optimizer's,
    scheduler's or loader's ``state_dict()`` holds.

    The file is written at exactly ``path`` (no suffix appended). It is written to a temporary file in
    the same directory, flushed to the disk (fsync) and then renamed over ``path`` (``os.replace``), so
    a save that fails or is killed half-way never leaves a half-written checkpoint: ``path`` holds the
    old file or the new one. Tensors and arrays on "cuda" are copied to the host first.
    """
    arrays: dict[str, np.ndarray] = {}
    root = _encode(obj, [], arrays, set(), "obj")
    structure = json.dumps({"format": FORMAT, "version": VERSION, "root": root}).encode("utf-8")
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, partial = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".partial")
    except OSError as error:
        raise type(error)(f"save: cannot write {path!r} ({error.strerror or error})") from None
    try:
        with os.fdopen(fd, "wb") as file:
            with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                archive.writestr(STRUCTURE, structure)
                for name, array in arrays.items():
                    # the member's size is unknown until written: zip64 lets it pass 2 GiB, as in np.savez
                    with archive.open(name, "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, array, allow_pickle=False)
            file.flush()
            os.fsync(file.fileno())  # the data is on the disk before the rename makes it the checkpoint
        os.replace(partial, path)  # atomic: readers see the old file or the new one, never half of one
        _sync_directory(directory)
    except OSError as error:
        raise type(error)(f"save: cannot write {path!r} ({error.strerror or error})") from None
    finally:
        if os.path.exists(partial):  # only after a failure: a successful save renamed it
            os.remove(partial)


def _sync_directory(directory: str) -> None:
    """Flush the rename itself to the disk, where the system allows opening a directory (not on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is still atomic
    finally:
        os.close(fd)


def _encode(value: Any, keys: list[str], arrays: dict[str, np.ndarray], open_containers: set[int], where: str):
    """The JSON node for ``value``; its tensors and arrays are added to ``arrays`` under fresh member names."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):  # before int and float: np.float64 is a float, and must stay np.float64
        return {"scalar": _add_array(np.asarray(value), keys, arrays, where)}
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Tensor):
        return {"tensor": _add_array(backend.to_host(value.data), keys, arrays, where), "device": value.device,
                "requires_grad": value.requires_grad}
    if backend.is_backend_array(value):
        return {"array": _add_array(backend.to_host(value), keys, arrays, where), "device": backend.device_of(value)}
    if isinstance(value, (Mapping, list, tuple)):
        if id(value) in open_containers:
            raise ValueError(f"save: {where} contains itself; a checkpoint must be a tree")
        if len(keys) >= MAX_DEPTH:
            raise ValueError(f"save: {where} is nested more than {MAX_DEPTH} levels deep")
        open_containers.add(id(value))
        if isinstance(value, Mapping):
            pairs = []
            for key, item in value.items():
                if isinstance(key, bool) or not isinstance(key, (str, int)):
                    raise TypeError(f"save: {where} has the key {key!r}; keys must be strings or ints")
                pairs.append([key, _encode(item, [*keys, str(key)], arrays, open_containers, f"{where}[{key!r}]")])
            node: Any = {"dict": pairs}
        else:
            items = [_encode(item, [*keys, str(i)], arrays, open_containers, f"{where}[{i}]")
                     for i, item in enumerate(value)]
            node = {"tuple": items} if isinstance(value, tuple) else items
        open_containers.discard(id(value))
        return node
    raise TypeError(f"save: {where} is a {type(value).__name__}, which cannot be saved; expected Tensors, arrays, "
                    "numbers, strings, None, and dicts, lists or tuples of them")


def _add_array(array: np.ndarray, keys: list[str], arrays: dict[str, np.ndarray], where: str) -> str:
    """Store ``array`` under a safe member name made from its keys (made unique), and return that name."""
    if array.dtype.kind not in ARRAY_KINDS:
        raise TypeError(f"save: {where} has dtype {array.dtype}; only arrays of numbers and booleans can be saved")
    base = ".".join(_safe_part(key) for key in keys) or "root"
    name, copy = f"{base}.npy", 1
    while name in arrays:
        copy += 1
        name = f"{base}-{copy}.npy"
    arrays[name] = array
    return name


def _safe_part(key: str) -> str:
    """One key as part of a member name: no path separators, never '..' once the parts are joined by '.'."""
    part = _UNSAFE_CHARACTER.sub("_", key).strip(".") or "_"
    while ".." in part:
        part = part.replace("..", "._")
    return part


# --- loading ------------------------------------------------------------------------------------


class _Stored(NamedTuple):
    """A tensor, array or NumPy scalar read from the file, before it is put on its device."""

    kind: str  # "tensor", "array" or "scalar"
    array: np.ndarray
    device: str
    requires_grad: bool


def load(path: str | os.PathLike, map_location: str | Mapping[str, str] | None = None) -> Any:
    """Read a file written by :func:`save`: the same structure, with tuples as tuples and int keys as ints.

    Tensors (and arrays) come back on the device they were saved from, unless ``map_location`` says
    otherwise: a device ("cpu" or "cuda") for all of them, or a dict from saved device to device, such
    as ``{"cuda": "cpu"}``. A checkpoint saved on "cuda" loads on a machine without a GPU with
    ``map_location="cpu"``.

    A missing file raises ``FileNotFoundError`` (an ``OSError``). A file that is not a checkpoint, or
    whose contents do not add up (member names with a path in them, malformed structure, array headers
    of other dtypes than numbers, shapes that do not match the data, sizes larger than the file, members
    that are missing) raises ``ValueError``; both name the path. Nothing in the file is ever executed.
    """
    devices = _device_map(map_location)
    where = repr(os.fspath(path))
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no such file: {where}")
    try:
        with open(path, "rb") as file:
            root = _read_checkpoint(file, os.fstat(file.fileno()).st_size)
    except (ValueError, OSError, EOFError, KeyError, TypeError, IndexError, OverflowError, RecursionError,
            NotImplementedError, RuntimeError, struct.error, zipfile.BadZipFile,
            zipfile.LargeZipFile) as error:
        raise ValueError(f"load: {where} is not a valid checkpoint written by tl.save ({error})") from None
    return _place(root, devices, where)


def _device_map(map_location) -> dict[str, str]:
    """``map_location`` as a dict from saved device to the device to load on."""
    if map_location is None:
        return {}
    if isinstance(map_location, str):
        return {device: backend.check_device(map_location) for device in backend.DEVICES}
    if isinstance(map_location, Mapping):
        for source, target in map_location.items():
            if source not in backend.DEVICES or not isinstance(target, str):
                raise ValueError(f"load: invalid map_location entry {source!r}: {target!r}; expected saved "
                                 f"device -> device, both among {backend.DEVICES}")
            backend.check_device(target)
        return dict(map_location)
    raise TypeError(f"load: map_location must be None, a device name or a dict of device names, "
                    f"got a {type(map_location).__name__}")


def _read_checkpoint(file, file_size: int) -> Any:
    """Everything in the archive, checked, with _Stored leaves on the host (raises ValueError and friends)."""
    with zipfile.ZipFile(file) as archive:
        infos = {}
        for info in archive.infolist():
            if info.filename in infos:
                raise ValueError(f"the member {info.filename!r} appears twice")
            if info.filename != STRUCTURE and (not _SAFE_MEMBER.fullmatch(info.filename) or ".." in info.filename):
                raise ValueError(f"the member name {info.filename!r} is not a plain array name (<name>.npy "
                                 "without '/', '\\\\' or '..')")
            _check_claimed_size(info, file_size)
            infos[info.filename] = info
        if STRUCTURE not in infos:  # a flat .npz of arrays, as written by earlier versions and by np.savez
            return {name[:-4]: _Stored("tensor", _read_array(archive, info), "cpu", False)
                    for name, info in infos.items()}
        if infos[STRUCTURE].file_size > MAX_STRUCTURE_BYTES:
            raise ValueError(f"the structure member claims {infos[STRUCTURE].file_size} bytes, more than "
                             f"{MAX_STRUCTURE_BYTES}")
        try:
            document = json.loads(archive.read(STRUCTURE).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise ValueError(f"malformed structure member: {error}") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT or "root" not in document:
            raise ValueError(f"the structure member is not a {FORMAT}")
        if document.get("version") != VERSION:
            raise ValueError(f"the checkpoint has format version {document.get('version')!r}; this tinygrad_lite "
                             f"reads version {VERSION}")
        return _decode(document["root"], archive, infos, 0)


def _check_claimed_size(info: zipfile.ZipInfo, file_size: int) -> None:
    """Refuse a member whose claimed sizes cannot be true for this file (before anything is allocated)."""
    # uncompressed members only (tl.save and np.savez write them): then every size a member claims must be
    # bytes that are really in the file, and no header can make load allocate more memory than the file's size
    if info.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"the member {info.filename!r} is compressed (method {info.compress_type}); tl.save "
                         "writes uncompressed members")
    if info.file_size != info.compress_size or info.header_offset + info.compress_size > file_size:
        raise ValueError(f"the member {info.filename!r} claims {info.file_size} bytes at offset "
                         f"{info.header_offset}, past the end of the {file_size}-byte file")


def _decode(node: Any, archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], depth: int) -> Any:
    """The Python object for one JSON node of the structure, its arrays read from ``archive``."""
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if depth >= MAX_DEPTH:
        raise ValueError(f"the structure is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, list):
        return [_decode(item, archive, infos, depth + 1) for item in node]
    if not isinstance(node, dict) or len(node) == 0:
        raise ValueError(f"unexpected entry {_short(node)} in the structure")
    tag = next(iter(node))
    if tag == "tuple" and len(node) == 1 and isinstance(node[tag], list):
        return tuple(_decode(item, archive, infos, depth + 1) for item in node[tag])
    if tag == "dict" and len(node) == 1 and isinstance(node[tag], list):
        result: dict = {}
        for pair in node[tag]:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))
                    and not isinstance(pair[0], bool)):
                raise ValueError(f"a dict entry {_short(pair)} is not a [key, value] pair with a str or int key")
            if pair[0] in result:
                raise ValueError(f"the key {pair[0]!r} appears twice in one dict")
            result[pair[0]] = _decode(pair[1], archive, infos, depth + 1)
        return result
    fields = {"tensor": {"tensor", "device", "requires_grad"}, "array": {"array", "device"}, "scalar": {"scalar"}}
    if tag not in fields or set(node) != fields[tag]:
        raise ValueError(f"unexpected entry {_short(node)} in the structure")
    name, device = node[tag], node.get("device", "cpu")
    if not isinstance(name, str) or name not in infos or name == STRUCTURE:
        raise ValueError(f"the structure refers to the member {_short(name)}, which the archive does not hold")
    if device not in backend.DEVICES:
        raise ValueError(f"the member {name!r} was saved on the unknown device {_short(device)}")
    requires_grad = node.get("requires_grad", False)
    if not isinstance(requires_grad, bool):
        raise ValueError(f"the member {name!r} has requires_grad {_short(requires_grad)}; expected true or false")
    array = _read_array(archive, infos[name])
    if requires_grad and array.dtype.kind != "f":
        raise ValueError(f"the member {name!r} requires grad but has dtype {array.dtype}")
    if tag == "scalar" and array.ndim != 0:
        raise ValueError(f"the scalar member {name!r} has shape {array.shape}")
    return _Stored(tag, array, device, requires_grad)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One ``.npy`` member, its header checked against its size before the data is read (never pickle)."""
    with archive.open(info) as member:
        prefix = member.read(8)
        if len(prefix) < 8 or prefix[:6] != b"\x93NUMPY" or prefix[6:8] not in (b"\x01\x00", b"\x02\x00"):
            raise ValueError(f"the member {info.filename!r} is not an .npy array of format version 1 or 2")
        length_field = member.read(2 if prefix[6] == 1 else 4)
        header_bytes = struct.unpack("<H" if prefix[6] == 1 else "<I", length_field)[0]
        if header_bytes > min(MAX_NPY_HEADER_BYTES, info.file_size):
            raise ValueError(f"the member {info.filename!r} claims an array header of {header_bytes} bytes")
        header = member.read(header_bytes)
        reader = np.lib.format.read_array_header_1_0 if prefix[6] == 1 else np.lib.format.read_array_header_2_0
        try:  # NumPy parses the header as a Python literal (ast.literal_eval): it evaluates nothing
            shape, fortran_order, dtype = reader(io.BytesIO(length_field + header))
        except (ValueError, TypeError, SyntaxError) as error:
            raise ValueError(f"the member {info.filename!r} has an unreadable array header ({error})") from None
        if not isinstance(dtype, np.dtype) or dtype.hasobject or dtype.kind not in ARRAY_KINDS:
            raise ValueError(f"the member {info.filename!r} holds dtype {dtype}; only numbers and booleans load "
                             "(never Python objects)")
        if any(not isinstance(d, int) or d < 0 for d in shape):
            raise ValueError(f"the member {info.filename!r} has the invalid shape {shape}")
        count = math.prod(shape)
        data_bytes = info.file_size - len(prefix) - len(length_field) - header_bytes
        if count * dtype.itemsize != data_bytes:
            raise ValueError(f"the member {info.filename!r} has shape {shape} of {dtype} ({count * dtype.itemsize} "
                             f"bytes) but holds {data_bytes} bytes of data")
        flat = np.empty(count, dtype=dtype)
        view, filled = flat.data.cast("B"), 0
        while filled < data_bytes:  # straight into the array: no second copy of a large member
            got = cast(io.BufferedIOBase, member).readinto(view[filled:])
            if not got:
                raise ValueError(f"the member {info.filename!r} ends after {filled} of {data_bytes} bytes")
            filled += got
    array = flat.reshape(shape, order="F" if fortran_order else "C")
    return array.astype(dtype.newbyteorder("="), copy=False)  # a big-endian array as the machine's own numbers


def _place(value: Any, devices: dict[str, str], where: str) -> Any:
    """Replace every _Stored leaf by its Tensor, array or NumPy scalar, on the device it goes to."""
    if isinstance(value, _Stored):
        if value.kind == "scalar":
            return value.array[()]
        device = devices.get(value.device, value.device)
        try:
            array = backend.to_device(value.array, backend.check_device(device))
        except RuntimeError as error:
            raise RuntimeError(f"load: {where} holds data saved on {value.device!r}, which is not available here "
                               f"({error}); load it with map_location='cpu'") from None
        return Tensor._make(array, value.requires_grad) if value.kind == "tensor" else array
    if isinstance(value, dict):
        return {key: _place(item, devices, where) for key, item in value.items()}
    if isinstance(value, list):
        return [_place(item, devices, where) for item in value]
    if isinstance(value, tuple):
        return tuple(_place(item, devices, where) for item in value)
    return value
