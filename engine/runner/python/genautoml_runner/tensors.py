"""Raw tensor files: how weights cross the sandbox boundary. No pickle anywhere.

Layout (little endian, the same as engine/runner/tensors.ts):
  8 bytes  magic b"GAMLTNS1"
  8 bytes  uint64 header length N
  N bytes  JSON {"format": "genautoml-tensors/1", "tensors": [{"name", "dtype", "shape", "offset", "bytes"}]}
  data     each tensor's bytes, C order, at data-start + offset, back to back in header order

Reading parses JSON and numbers only, so a hostile file can at worst be refused; it cannot run
code the way a pickle (torch.save) can when it is loaded.
"""
from __future__ import annotations

import json
import struct
from typing import Dict, List

import numpy as np
import torch

MAGIC = b"GAMLTNS1"
FORMAT = "genautoml-tensors/1"
MAX_HEADER = 16 * 1024 * 1024
MAX_TENSORS = 100_000
DTYPES = {
    "float32": (np.dtype("<f4"), torch.float32), "float64": (np.dtype("<f8"), torch.float64),
    "float16": (np.dtype("<f2"), torch.float16), "int64": (np.dtype("<i8"), torch.int64),
    "int32": (np.dtype("<i4"), torch.int32), "uint8": (np.dtype("u1"), torch.uint8), "bool": (np.dtype("?"), torch.bool),
}
_BY_TORCH = {t: name for name, (_, t) in DTYPES.items()}


class TensorFileError(ValueError):
    pass


def save(tensors: Dict[str, torch.Tensor], path: str) -> None:
    entries: List[Dict[str, object]] = []
    blobs: List[bytes] = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        dtype = _BY_TORCH.get(t.dtype)
        if dtype is None:
            raise TensorFileError(f"tensor {name} has dtype {t.dtype}, which the weights format does not carry")
        raw = t.numpy().astype(DTYPES[dtype][0], copy=False).tobytes(order="C")
        entries.append({"name": str(name), "dtype": dtype, "shape": [int(d) for d in t.shape], "offset": offset, "bytes": len(raw)})
        blobs.append(raw)
        offset += len(raw)
    header = json.dumps({"format": FORMAT, "tensors": entries}).encode()
    with open(path, "wb") as f:
        f.write(MAGIC + struct.pack("<Q", len(header)) + header)
        for b in blobs:
            f.write(b)


def load(path: str) -> Dict[str, torch.Tensor]:
    with open(path, "rb") as f:
        data = f.read()
    return parse(data)


def parse(data: bytes) -> Dict[str, torch.Tensor]:
    if len(data) < 16 or data[:8] != MAGIC:
        raise TensorFileError("not a genautoml tensor file (bad magic)")
    (n,) = struct.unpack("<Q", data[8:16])
    if n > MAX_HEADER or 16 + n > len(data):
        raise TensorFileError("tensor file header length is out of bounds")
    try:
        header = json.loads(data[16:16 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise TensorFileError(f"tensor file header is not JSON: {e}")
    if not isinstance(header, dict) or header.get("format") != FORMAT or not isinstance(header.get("tensors"), list):
        raise TensorFileError("tensor file header has the wrong format")
    entries = header["tensors"]
    if len(entries) > MAX_TENSORS:
        raise TensorFileError("too many tensors")
    base = 16 + n
    expected_offset = 0
    out: Dict[str, torch.Tensor] = {}
    for e in entries:
        if not isinstance(e, dict):
            raise TensorFileError("tensor entry is not an object")
        name, dtype, shape, offset, size = e.get("name"), e.get("dtype"), e.get("shape"), e.get("offset"), e.get("bytes")
        if not isinstance(name, str) or not name or len(name) > 500 or name in out:
            raise TensorFileError(f"bad or duplicate tensor name {name!r}")
        if dtype not in DTYPES:
            raise TensorFileError(f"tensor {name}: unknown dtype {dtype!r}")
        if not isinstance(shape, list) or len(shape) > 16 or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d for d in shape):
            raise TensorFileError(f"tensor {name}: bad shape")
        np_dtype, _ = DTYPES[dtype]
        count = 1
        for d in shape:
            count *= d
        if offset != expected_offset or size != count * np_dtype.itemsize or base + offset + size > len(data):
            raise TensorFileError(f"tensor {name}: offset or size does not match its shape")
        arr = np.frombuffer(data, dtype=np_dtype, count=count, offset=base + offset).reshape(shape)
        out[name] = torch.from_numpy(arr.copy())
        expected_offset += size
    if base + expected_offset != len(data):
        raise TensorFileError("tensor file has trailing bytes")
    return out
