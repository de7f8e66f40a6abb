"""tl.load against crafted files: every one raises a ValueError that names the file, never runs code, never
crashes inside NumPy or zipfile, and never allocates what the file only claims to hold."""

from __future__ import annotations

import io
import json
import struct
import zipfile

import numpy as np
import pytest

import tinygrad_lite as tl

STRUCTURE = "tinygrad_lite.json"


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def npy_with_header(header: str, data: bytes, version: int = 1) -> bytes:
    """An .npy member with a header of our own making (any text) before ``data``."""
    text = header.encode("latin1")
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    length = struct.pack("<H", len(text)) if version == 1 else struct.pack("<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + length + text + data


def structure(root) -> bytes:
    return json.dumps({"format": "tinygrad_lite checkpoint", "version": 1, "root": root}).encode()


def archive(path, members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> None:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


WEIGHT = {"tensor": "w.npy", "device": "cpu", "requires_grad": False}
GOOD_W = npy(np.arange(4.0))

CRAFTED = {
    "object array": ({STRUCTURE: structure(WEIGHT), "w.npy": npy(np.array([{"x": 1}, None], dtype=object))},
                     "holds dtype object"),
    "object array, no structure": ({"w.npy": npy(np.array([len], dtype=object))}, "holds dtype object"),
    "structured dtype with an object field": (
        {STRUCTURE: structure(WEIGHT), "w.npy": npy(np.zeros(2, dtype=[("a", "f8"), ("b", "O")]))},
        "only numbers and booleans load"),
    "string array": ({STRUCTURE: structure(WEIGHT), "w.npy": npy(np.array(["a", "b"]))}, "holds dtype <U1"),
    "code in the array header": (
        {STRUCTURE: structure(WEIGHT),
         "w.npy": npy_with_header("{'descr': __import__('os').system('touch pwned'), 'fortran_order': False, "
                                  "'shape': (1,), }", b"\0" * 8)}, "has an unreadable array header"),
    "malformed JSON": ({STRUCTURE: b"{'root': not json", "w.npy": GOOD_W}, "malformed structure member"),
    "structure not UTF-8": ({STRUCTURE: b"\xff\xfe\x00", "w.npy": GOOD_W}, "malformed structure member"),
    "JSON of another program": ({STRUCTURE: b'{"root": 1}'}, "is not a tinygrad_lite checkpoint"),
    "a later format version": (
        {STRUCTURE: json.dumps({"format": "tinygrad_lite checkpoint", "version": 99, "root": 1}).encode()},
        "format version 99"),
    "unknown entry": ({STRUCTURE: structure({"pickle": "w.npy"}), "w.npy": GOOD_W}, "unexpected entry"),
    "tensor entry with an extra field": ({STRUCTURE: structure({**WEIGHT, "code": "x"}), "w.npy": GOOD_W},
                                         "unexpected entry"),
    "dict entry that is not a pair": ({STRUCTURE: structure({"dict": [["a", 1, 2]]})}, r"is not a \[key, value\] pair"),
    "dict with a float key": ({STRUCTURE: structure({"dict": [[1.5, 1]]})}, r"is not a \[key, value\] pair"),
    "dict with a repeated key": ({STRUCTURE: structure({"dict": [["a", 1], ["a", 2]]})}, "the key 'a' appears twice"),
    "unknown device": ({STRUCTURE: structure({**WEIGHT, "device": "tpu"}), "w.npy": GOOD_W}, "unknown device 'tpu'"),
    "requires_grad on integers": ({STRUCTURE: structure({**WEIGHT, "requires_grad": True}),
                                   "w.npy": npy(np.arange(3))}, "requires grad but has dtype int64"),
    "requires_grad not a bool": ({STRUCTURE: structure({**WEIGHT, "requires_grad": "yes"}), "w.npy": GOOD_W},
                                 "requires_grad 'yes'"),
    "scalar of shape (4,)": ({STRUCTURE: structure({"scalar": "w.npy"}), "w.npy": GOOD_W}, "scalar member"),
    "member name with ..": ({STRUCTURE: structure({**WEIGHT, "tensor": "../w.npy"}), "../w.npy": GOOD_W},
                            "member name '../w.npy' is not a plain array name"),
    "member name with /": ({"dir/w.npy": GOOD_W}, "member name 'dir/w.npy'"),
    "absolute member name": ({"/etc/w.npy": GOOD_W}, "member name '/etc/w.npy'"),
    "member name with a backslash": ({"a\\w.npy": GOOD_W}, "member name"),
    "member name a..b": ({"a..b.npy": GOOD_W}, "member name 'a..b.npy'"),
    "member that is not .npy": ({STRUCTURE: structure(1), "run.sh": b"rm -rf /"}, "member name 'run.sh'"),
    "structure names a missing member": ({STRUCTURE: structure({**WEIGHT, "tensor": "gone.npy"})},
                                         "refers to the member 'gone.npy', which the archive does not hold"),
    "structure names itself": ({STRUCTURE: structure({**WEIGHT, "tensor": STRUCTURE})}, "does not hold"),
    "shape larger than the data": (
        {STRUCTURE: structure(WEIGHT),
         "w.npy": npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }",
                                  b"\0" * 16)}, r"has shape \(1000000000000,\) of float64"),
    "shape smaller than the data": (
        {STRUCTURE: structure(WEIGHT),
         "w.npy": npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"\0" * 16)},
        "holds 16 bytes of data"),
    "negative shape": (
        {STRUCTURE: structure(WEIGHT),
         "w.npy": npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", b"")},
        "invalid shape"),
    "huge claimed array header": (
        {STRUCTURE: structure(WEIGHT), "w.npy": b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFFF) + b"{}"},
        "claims an array header of 4294967295 bytes"),
    "not an .npy member": ({STRUCTURE: structure(WEIGHT), "w.npy": b"MZ\x90\x00 an executable"},
                           "is not an .npy array"),
    "compressed member": ({STRUCTURE: structure(WEIGHT), "w.npy": GOOD_W}, "is compressed"),
    "deep JSON": ({STRUCTURE: b'{"format": "tinygrad_lite checkpoint", "version": 1, "root": ' + b"[" * 200_000
                   + b"]" * 200_000 + b"}"}, "malformed structure member|nested more than 100"),
    "nested too deep": ({STRUCTURE: structure(json.loads("[" * 150 + "]" * 150))}, "nested more than 100 levels"),
}


@pytest.mark.parametrize("name", CRAFTED)
def test_crafted_file_raises_a_clear_value_error(name, tmp_path, monkeypatch):
    members, message = CRAFTED[name]
    path = tmp_path / "crafted.ckpt"
    archive(path, members, zipfile.ZIP_DEFLATED if name == "compressed member" else zipfile.ZIP_STORED)
    monkeypatch.chdir(tmp_path)  # where the crafted header would write its file
    with pytest.raises(ValueError, match=message) as error:
        tl.load(path)
    assert "crafted.ckpt' is not a valid checkpoint written by tl.save" in str(error.value)
    assert not (tmp_path / "pwned").exists()


def test_repeated_member_is_refused(tmp_path):
    path = tmp_path / "twice.ckpt"
    with pytest.warns(UserWarning, match="Duplicate name"):
        archive_with_twice(path)
    with pytest.raises(ValueError, match="twice.ckpt.*the member 'w.npy' appears twice"):
        tl.load(path)


def archive_with_twice(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(STRUCTURE, structure(WEIGHT))
        zf.writestr("w.npy", GOOD_W)
        zf.writestr("w.npy", npy(np.zeros(4)))


def patched(path, offset_in_central_header: int, value: int, member: str) -> None:
    """Overwrite one 4-byte field of ``member``'s central directory entry (sizes live there)."""
    data = bytearray(path.read_bytes())
    start = 0
    while True:
        start = data.index(b"PK\x01\x02", start)
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46:start + 46 + name_length].decode() == member:
            struct.pack_into("<I", data, start + offset_in_central_header, value)
            path.write_bytes(bytes(data))
            return
        start += 4


@pytest.mark.parametrize("member", ["w.npy", STRUCTURE])
@pytest.mark.parametrize("fields", [(24,), (20, 24)], ids=["uncompressed size", "both sizes"])
def test_huge_claimed_member_size_is_refused_before_reading(tmp_path, member, fields):
    path = tmp_path / "huge.ckpt"
    archive(path, {STRUCTURE: structure(WEIGHT), "w.npy": GOOD_W})
    for field in fields:
        patched(path, field, 0xFFFFFFF0, member)  # just below zip64's marker: a plain 4 GiB claim
    with pytest.raises(ValueError, match=f"huge.ckpt.*the member '{member}' claims 4294967280 bytes"):
        tl.load(path)


def test_truncated_and_bit_flipped_checkpoints_never_crash(tmp_path):
    """A real checkpoint cut short or with random bytes changed either loads or raises ValueError."""
    path = tmp_path / "good.ckpt"
    tl.save({"model": {"w": tl.randn(8, 4)}, "optimizer": {"state": {0: {"m": np.ones(3)}}, "lr": 0.1}}, path)
    good = path.read_bytes()
    rng = np.random.default_rng(0)
    bad = tmp_path / "bad.ckpt"
    cases = [good[:n] for n in rng.integers(0, len(good), 40)]
    for _ in range(300):
        data = bytearray(good)
        for i in rng.integers(0, len(data), rng.integers(1, 4)):
            data[i] = int(rng.integers(0, 256))
        cases.append(bytes(data))
    refused = 0
    for data in cases:
        bad.write_bytes(data)
        try:
            tl.load(bad)
        except ValueError as error:
            assert "bad.ckpt' is not a valid checkpoint" in str(error)
            refused += 1
    assert refused >= 40  # every truncated file at least
