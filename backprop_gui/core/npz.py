"""A network's weights alone as a numpy ``.npz`` archive: arrays ``w1, b1, w2, b2, …``.

``w{l}`` is w^l, shape ``(n_l, n_{l-1})`` (row j, column k is w_jk^l), and ``b{l}`` is b^l,
shape ``(n_l,)``, for l = 1..L; a layer without bias has no ``b{l}``. The archive holds
float64 numbers only: it is read with ``allow_pickle=False``, so it never runs code.
"""

from __future__ import annotations

import io
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


def read_npz(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``path``, as float64; WeightsError naming the file otherwise."""
    try:
        with open_regular_file(path) as handle, np.load(handle, allow_pickle=False) as archive:
            names = list(archive.files)
            count = sum(int(np.prod(archive[name].shape)) for name in names)
            if count > MAX_PARAMETERS:
                raise WeightsError(f"{path}: {count:,} numbers is more than the {MAX_PARAMETERS:,} allowed")
            arrays = {name: archive[name] for name in names}
    except FileNotFoundError:
        raise WeightsError(f"{path}: no such file") from None
    except FileRefused as error:
        raise WeightsError(f"{path}: {error}") from None
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        why = "it holds Python objects, which are never loaded" if "pickle" in str(error) else str(error)
        raise WeightsError(f"{path}: not a numpy .npz archive of weights ({why})") from None
    for name, values in arrays.items():
        if values.dtype.kind not in "fiu":
            raise WeightsError(f"{path}: {name}: expected numbers, got {values.dtype} values")
        arrays[name] = values.astype(float)
        if not np.all(np.isfinite(arrays[name])):
            raise WeightsError(f"{path}: {name}: contains a NaN or infinite value")
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
