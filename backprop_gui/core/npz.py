"""A network's weights alone as a numpy ``.npz`` archive: arrays ``w1, b1, w2, b2, …``.

``w{l}`` is w^l, shape ``(n_l, n_{l-1})`` (row j, column k is w_jk^l), and ``b{l}`` is b^l,
shape ``(n_l,)``, for l = 1..L; a layer without bias has no ``b{l}``. For a network with input
features, n_0 counts the features: column k of ``w1`` weighs the session's k-th feature. The
archive holds float64 numbers only: it is read with ``allow_pickle=False``, so it never runs code.
"""

from __future__ import annotations

import io
import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from backprop_gui.core.editing import Edit
from backprop_gui.core.files import FileRefused, open_regular_file, write_atomic
from backprop_gui.core.network import MAX_PARAMETERS, Network

if TYPE_CHECKING:
    from backprop_gui.core.session import Session

Parameters = tuple[dict[int, np.ndarray], dict[int, np.ndarray]]  # ({l: w^l}, {l: b^l}), l = 1..L


class WeightsError(ValueError):
    """Weights that cannot be read or do not fit the network; the message names the file and the array."""


def weight_arrays(network: Network) -> dict[str, np.ndarray]:
    """``{"w1": w^1, "b1": b^1, "w2": …}`` of ``network`` (no ``b{l}`` for a layer without bias)."""
    arrays = {}
    for l, layer in enumerate(network.layers, start=1):
        arrays[f"w{l}"] = np.asarray(layer.weights, dtype=float)
        if layer.has_bias:
            arrays[f"b{l}"] = np.asarray(layer.biases, dtype=float)
    return arrays


def npz_bytes(network: Network) -> bytes:
    """The ``.npz`` archive of ``network``'s weights, compressed."""
    buffer = io.BytesIO()
    arrays: dict[str, Any] = dict(weight_arrays(network))  # numpy's stubs type the keywords as its options
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def write_npz(network: Network, path: str | os.PathLike[str]) -> None:
    """Write ``network``'s weights to ``path`` atomically."""
    write_atomic(Path(path), npz_bytes(network))


MAX_ARRAYS = 2 * 10_000  # w and b of more layers than any network here has
MAX_HEADER_BYTES = 10_000  # numpy's own limit on a .npy header
_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def read_npz(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``path``, as float64; WeightsError naming the file otherwise.

    Nothing is decompressed beyond what the limits allow: the archive's stated sizes, then each
    array's shape and type from its ``.npy`` header, are checked against MAX_PARAMETERS numbers
    first, and each array is read to exactly the size its header states (a zip bomb is refused
    after a few hundred bytes)."""
    try:
        with open_regular_file(path) as handle, zipfile.ZipFile(handle) as archive:
            arrays = _read_arrays(archive, str(path))
    except WeightsError:
        raise
    except FileNotFoundError:
        raise WeightsError(f"{path}: no such file") from None
    except FileRefused as error:
        raise WeightsError(f"{path}: {error}") from None
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, NotImplementedError) as error:
        raise WeightsError(f"{path}: not a numpy .npz archive of weights ({error})") from None
    for name, values in arrays.items():
        arrays[name] = values.astype(float)
        if not np.all(np.isfinite(arrays[name])):
            raise WeightsError(f"{path}: {name}: contains a NaN or infinite value")
    return arrays


def _read_arrays(archive: zipfile.ZipFile, path: str) -> dict[str, np.ndarray]:
    """The arrays of an open .npz ``archive``, each checked from the archive's directory and its
    header before its numbers are decompressed."""
    members = archive.infolist()
    if len(members) > MAX_ARRAYS:
        raise WeightsError(f"{path}: {len(members):,} arrays is more than the {MAX_ARRAYS:,} a network's weights have")
    stated = sum(member.file_size for member in members)
    if stated > len(members) * MAX_HEADER_BYTES + 8 * MAX_PARAMETERS:
        raise WeightsError(
            f"{path}: the archive unpacks to {stated / 2**20:,.0f} MiB, more than {MAX_PARAMETERS:,} numbers take"
        )
    arrays, count = {}, 0
    for member in members:
        name = member.filename.removesuffix(".npy")
        if not member.filename.endswith(".npy") or member.is_dir():
            raise WeightsError(f"{path}: {member.filename}: not a numpy array (.npy)")
        with archive.open(member) as data:
            version = np.lib.format.read_magic(data)
            if version not in _HEADER_READERS:
                raise WeightsError(f"{path}: {name}: unknown .npy format version {version}")
            read_header = _HEADER_READERS[version]
            shape, fortran, dtype = read_header(data, max_header_size=MAX_HEADER_BYTES)
            if dtype.hasobject:
                raise WeightsError(f"{path}: {name}: it holds Python objects, which are never loaded")
            if dtype.kind not in "fiu":
                raise WeightsError(f"{path}: {name}: expected numbers, got {dtype} values")
            size = math.prod(shape)
            count += size
            if count > MAX_PARAMETERS:
                raise WeightsError(f"{path}: more than the {MAX_PARAMETERS:,} numbers allowed (at {name})")
            length = size * dtype.itemsize
            if member.file_size != data.tell() + length:
                raise WeightsError(f"{path}: {name}: the archive's size for it does not match its shape {shape}")
            raw = data.read(length)
            if len(raw) != length or data.read(1):
                raise WeightsError(f"{path}: {name}: holds {len(raw):,} bytes, not the {length:,} its shape needs")
        values = np.frombuffer(raw, dtype=dtype)
        arrays[name] = values.reshape(shape, order="F" if fortran else "C")
    return arrays


def parameters_from_arrays(network: Network, arrays: dict[str, np.ndarray], source: str) -> Parameters:
    """The weights and biases in ``arrays`` (as ``weight_arrays`` names them) for the layers of ``network``.

    Returns ({l: w^l}, {l: b^l}); the network is not changed. A layer without bias takes no ``b{l}``
    (or only zeros). WeightsError, starting with ``source``, names a missing, extra or misshapen array.
    """
    weights, biases = {}, {}
    expected = []
    for l, layer in enumerate(network.layers, start=1):
        n_in = network.sizes[l - 1]
        weights[l] = _array(arrays, f"w{l}", (layer.size, n_in), source, f"n_{l} × n_{l - 1}")
        expected.append(f"w{l}")
        if layer.has_bias:
            biases[l] = _array(arrays, f"b{l}", (layer.size,), source, f"n_{l}")
            expected.append(f"b{l}")
        elif f"b{l}" in arrays:
            zeros = _array(arrays, f"b{l}", (layer.size,), source, f"n_{l}")
            if np.any(zeros != 0):
                raise WeightsError(f"{source}: b{l}: layer {l} has no bias, but b{l} is not all zeros")
            biases[l] = zeros
        else:
            biases[l] = np.zeros(layer.size)
    extra = sorted(set(arrays) - set(expected) - {f"b{l}" for l in biases})
    if extra:
        raise WeightsError(
            f"{source}: unexpected array {extra[0]}: the network has {network.depth} layers "
            f"(arrays {', '.join(expected)})"
        )
    return weights, biases


def _array(arrays: dict[str, np.ndarray], name: str, shape: tuple[int, ...], source: str, what: str) -> np.ndarray:
    if name not in arrays:
        raise WeightsError(f"{source}: no array {name} (the network needs {'×'.join(map(str, shape))}, {what})")
    values = arrays[name]
    if values.shape != shape:
        got = "×".join(map(str, values.shape)) or "a single number"
        raise WeightsError(f"{source}: {name}: expected {'×'.join(map(str, shape))} ({what}), got {got}")
    return values


@dataclass
class ImportWeights(Edit):
    """Put every w^l and b^l of ``arrays`` (named as ``weight_arrays`` names them, read from ``source``)
    into the network, in one undoable step."""

    arrays: dict[str, np.ndarray]
    source: str
    _old: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list, init=False, repr=False)

    @property
    def text(self) -> str:
        return f"import weights from {Path(self.source).name}"

    def check(self, session: Session) -> None:
        parameters_from_arrays(session.network, self.arrays, self.source)

    def _do(self, session: Session) -> None:
        network = session.network
        weights, biases = parameters_from_arrays(network, self.arrays, self.source)
        self._old = [(layer.weights, layer.biases) for layer in network.layers]
        for l, layer in enumerate(network.layers, start=1):
            layer.weights, layer.biases = weights[l].copy(), biases[l].copy()

    def undo(self, session: Session) -> None:
        for layer, (weights, biases) in zip(session.network.layers, self._old, strict=True):
            layer.weights, layer.biases = weights, biases
