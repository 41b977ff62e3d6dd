"""A PyTorch model saved with ``torch.save`` as a network of this tool: File ▸ Import ▸ PyTorch Model…
and ``backprop-gui import-torch``.

Reads a whole ``torch.nn.Sequential`` of ``Linear`` layers, each followed by one of the
activations this tool supports (or by nothing: a linear layer), or a ``state_dict`` of such a
model together with the activations' names. Anything else is refused with a message naming
the module. The file is only ever read with ``torch.load(..., weights_only=True)``, and only
after every class it names has been checked, so a ``.pt`` file never runs code.

PyTorch is an optional extra (``pip install "backprop-gui[torch]"``); this module imports it
only when a model is read, and raises ``TorchMissing`` when it is not installed.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from backprop_gui.core.activations import ACTIVATIONS, LEAKY_SLOPE
from backprop_gui.core.datasets import Dataset, DatasetError, read_csv
from backprop_gui.core.files import FileRefused, open_regular_file
from backprop_gui.core.formatting import counted
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.network import Layer, Network
from backprop_gui.core.session import Session

INSTALL = 'pip install "backprop-gui[torch]"'
SEQUENTIAL = "torch.nn.modules.container.Sequential"
LINEAR = "torch.nn.modules.linear.Linear"
# The activation modules read, by their class's full name, and the activation each one is.
ACTIVATION_MODULES = {
    "torch.nn.modules.activation.Sigmoid": "sigmoid",
    "torch.nn.modules.activation.Tanh": "tanh",
    "torch.nn.modules.activation.ReLU": "relu",
    "torch.nn.modules.activation.LeakyReLU": "leaky_relu",
    "torch.nn.modules.linear.Identity": "linear",
    "torch.nn.modules.activation.Softplus": "softplus",
    "torch.nn.modules.activation.Softmax": "softmax",
}
SUPPORTED = f"Linear layers and the activations {', '.join(ACTIVATIONS)}"


class TorchMissing(ImportError):
    """PyTorch is not installed; the message says how to install it."""


class ModelError(ValueError):
    """A model file that cannot be read as a network; the message names the file and the module."""


class NeedsActivations(ModelError):
    """The file holds a state_dict of ``layers`` Linear layers, whose activations must be named."""

    def __init__(self, message: str, layers: int) -> None:
        super().__init__(message)
        self.layers = layers


def require_torch() -> Any:
    """The ``torch`` module; TorchMissing saying how to install it when it is not installed."""
    try:
        import torch
    except ImportError:
        raise TorchMissing(f"reading a PyTorch model needs PyTorch, which is not installed: {INSTALL}") from None
    return torch


def read_model(
    path: str | os.PathLike[str], activations: Sequence[str] | None = None, loss: str | None = None
) -> Network:
    """The network saved at ``path``: a whole ``nn.Sequential``, or a ``state_dict`` with ``activations``
    naming each Linear layer's activation in order. ``loss`` defaults to cross_entropy after softmax,
    binary_cross_entropy after sigmoid and half_squared_error otherwise.

    Raises TorchMissing without PyTorch, ModelError (naming the file and the module) for anything else.
    """
    model = _load(path)
    source = os.fspath(path)
    torch = require_torch()
    if isinstance(model, torch.nn.Module):
        if activations is not None:
            raise ModelError(f"{source}: holds a whole model, whose activations are its own: leave out --layers")
        layers = _sequential_layers(model, source)
    elif isinstance(model, Mapping) and model and all(isinstance(v, torch.Tensor) for v in model.values()):
        layers = _state_dict_layers(model, activations, source)
    else:
        raise ModelError(
            f"{source}: holds {type(model).__name__}, neither a torch.nn.Sequential nor a state_dict of tensors"
        )
    return _network(layers, loss, source)


# --- reading the file, never running it ------------------------------------------------------------


def _load(path: str | os.PathLike[str]) -> Any:
    """``torch.load(path, weights_only=True)`` after checking which classes the file names."""
    torch = require_torch()
    source = os.fspath(path)
    if not os.path.exists(source):
        raise ModelError(f"{source}: no such file")
    if not os.path.isfile(source):  # a folder, device or pipe: never read (a pipe would block)
        raise ModelError(f"{source}: is a folder, device or pipe, not a PyTorch model file")
    try:
        named = torch.serialization.get_unsafe_globals_in_checkpoint(source)
    except Exception as error:  # any damaged or foreign file: its reader's own exception says why
        raise ModelError(f"{source}: not a file saved with torch.save ({_first_line(error)})") from None
    allowed = {SEQUENTIAL, LINEAR, *ACTIVATION_MODULES}
    refused = sorted(set(named) - allowed)
    if refused:
        raise ModelError(_refusal(source, refused))
    classes = [_class(name) for name in named]
    try:
        with torch.serialization.safe_globals(classes):
            return torch.load(source, weights_only=True, map_location="cpu")
    except (pickle.UnpicklingError, RuntimeError, ValueError, EOFError, OSError) as error:
        raise ModelError(f"{source}: cannot be read ({_first_line(error)})") from None


def _refusal(source: str, names: list[str]) -> str:
    """Why a file naming the classes or functions ``names`` (none of them allowed) is refused."""
    foreign = [name for name in names if not name.startswith("torch.nn.modules.")]
    if foreign:
        return (
            f"{source}: refers to {', '.join(foreign)}, which is not part of a torch.nn.Sequential of Linear layers; "
            "refused without running anything. Save the model's state_dict() instead and name its activations "
            "with --layers"
        )
    modules = ", ".join(f"{name.rsplit('.', 1)[-1]} ({name})" for name in names)
    what = "module" if len(names) == 1 else "modules"
    return f"{source}: the model contains the {what} {modules}; only {SUPPORTED} are supported"


def _class(name: str) -> type:
    """The class of the allowed full name ``name`` (a module of torch.nn)."""
    module, _, attribute = name.rpartition(".")
    cls: type = getattr(importlib.import_module(module), attribute)
    return cls


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --- from modules to layers ------------------------------------------------------------------------


@dataclass
class _Linear:
    """One Linear layer: w^l (n_l, n_{l-1}), b^l (n_l,) or None, where it came from, and its activation."""

    weights: np.ndarray
    biases: np.ndarray | None
    where: str
    activation: str = "linear"


def _numbers(tensor: Any) -> np.ndarray:
    """A tensor's numbers as a new float64 array."""
    values: np.ndarray = tensor.detach().to(device="cpu").double().numpy().copy()
    return values


def _sequential_layers(model: Any, source: str) -> list[_Linear]:
    torch = require_torch()
    if not isinstance(model, torch.nn.Sequential):
        raise ModelError(f"{source}: the model is a {type(model).__name__}, not a torch.nn.Sequential")
    layers: list[_Linear] = []
    activated = False
    for name, module in _flat(model, "model"):
        kind = type(module).__name__
        if isinstance(module, torch.nn.Linear):
            bias = None if module.bias is None else _numbers(module.bias)
            layers.append(_Linear(_numbers(module.weight), bias, f"{name} (Linear)"))
            activated = False
            continue
        activation = _activation(module, name, source)
        if not layers:
            raise ModelError(f"{source}: {name} ({kind}) comes before any Linear layer")
        if activated:
            raise ModelError(f"{source}: {name} ({kind}) follows another activation; each Linear layer takes one")
        layers[-1].activation, activated = activation, True
    return layers


def _flat(model: Any, prefix: str) -> list[tuple[str, Any]]:
    """(name, module) of every module of ``model`` in order, nested Sequentials opened up."""
    torch = require_torch()
    found = []
    for name, module in model.named_children():
        where = f"{prefix}[{name}]" if name.isdigit() else f"{prefix}.{name}"
        found += _flat(module, where) if isinstance(module, torch.nn.Sequential) else [(where, module)]
    return found


def _activation(module: Any, where: str, source: str) -> str:
    """The activation ``module`` is; ModelError naming it when it is none this tool has (as configured)."""
    cls = type(module)
    full = f"{cls.__module__}.{cls.__qualname__}"
    kind = cls.__name__
    if full not in ACTIVATION_MODULES:
        raise ModelError(f"{source}: {where} is a {kind}; only {SUPPORTED} are supported")
    activation = ACTIVATION_MODULES[full]
    if activation == "leaky_relu" and module.negative_slope != LEAKY_SLOPE:
        raise ModelError(
            f"{source}: {where} is LeakyReLU({module.negative_slope:g}); "
            f"this tool's leaky ReLU has slope {LEAKY_SLOPE:g}"
        )
    if activation == "softplus" and module.beta != 1:
        raise ModelError(f"{source}: {where} is Softplus(beta={module.beta:g}); this tool's softplus has beta 1")
    if activation == "softmax" and module.dim not in (1, -1):
        raise ModelError(
            f"{source}: {where} is Softmax(dim={module.dim}); a model of this tool takes the softmax over "
            "each sample's outputs (dim=1)"
        )
    return activation


def _state_dict_layers(state: Mapping[str, Any], activations: Sequence[str] | None, source: str) -> list[_Linear]:
    """Linear layers from ``state`` (``prefix.weight`` and ``prefix.bias`` per layer, in order)."""
    prefixes: list[str] = []
    arrays: dict[str, np.ndarray] = {}
    for key, tensor in state.items():
        prefix, _, kind = key.rpartition(".")
        if kind not in ("weight", "bias"):
            raise ModelError(
                f"{source}: {key} is not the weight or bias of a Linear layer; only {SUPPORTED} are supported"
            )
        arrays[key] = _numbers(tensor)
        if prefix not in prefixes:
            prefixes.append(prefix)
    layers = []
    for prefix in prefixes:
        name = f"{prefix}.weight" if prefix else "weight"
        weights = arrays.get(name)
        if weights is None:
            raise ModelError(f"{source}: {prefix}.bias has no {name} beside it")
        if weights.ndim != 2:
            shape = "×".join(map(str, weights.shape))
            raise ModelError(
                f"{source}: {name} has shape {shape}, not that of a Linear layer (2 dimensions); only {SUPPORTED} "
                "are supported"
            )
        biases = arrays.get(f"{prefix}.bias" if prefix else "bias")
        layers.append(_Linear(weights, biases, name))
    if activations is None:
        raise NeedsActivations(
            f"{source}: holds a state_dict of {len(layers)} Linear layers: name their activations with --layers "
            f"(one per layer, such as {','.join(['relu'] * (len(layers) - 1) + ['sigmoid'])})",
            len(layers),
        )
    if len(activations) != len(layers):
        names = f"--layers names {counted(len(activations), 'activation')}"
        raise ModelError(f"{source}: {names} for {counted(len(layers), 'Linear layer')}")
    for layer, activation in zip(layers, activations, strict=True):
        layer.activation = activation
    return layers


# --- from layers to a network -------------------------------------------------------------------------


def _network(layers: list[_Linear], loss: str | None, source: str) -> Network:
    if not layers:
        raise ModelError(f"{source}: the model has no Linear layer")
    previous = layers[0].weights.shape[1]
    built = []
    for l, layer in enumerate(layers, start=1):
        n_out, n_in = layer.weights.shape
        if n_in != previous:
            takes = f"{layer.where} takes {counted(n_in, 'input')}"
            raise ModelError(f"{source}: {takes}, but layer {l - 1} gives {previous}")
        if layer.biases is not None and layer.biases.shape != (n_out,):
            raise ModelError(f"{source}: the bias of {layer.where} has {layer.biases.size} numbers, not {n_out}")
        if layer.activation not in ACTIVATIONS:
            raise ModelError(f"{source}: unknown activation {layer.activation!r} (known: {', '.join(ACTIVATIONS)})")
        biases = np.zeros(n_out) if layer.biases is None else layer.biases
        built.append(Layer(layer.weights, biases, layer.activation, layer.biases is not None))
        previous = n_out
    output = layers[-1].activation
    loss = loss or {"softmax": "cross_entropy", "sigmoid": "binary_cross_entropy"}.get(output, "half_squared_error")
    if loss not in LOSSES:
        raise ModelError(f"unknown loss {loss!r} (known: {', '.join(LOSSES)})")
    network = Network(layers[0].weights.shape[1], built, loss)
    try:
        network.validate()
    except ValueError as error:
        raise ModelError(f"{source}: {error}") from None
    return network


# --- from a network to a session ----------------------------------------------------------------------


def model_session(model_path: str | os.PathLike[str], network: Network, data_path: str | None = None) -> Session:
    """A new session of ``network`` read from ``model_path``, named after the file, with the samples of the CSV
    at ``data_path`` (n_0 input columns, then n_L target columns or one column of class labels), or one
    sample x = 0, t = 0 without it. Raises DatasetError naming the file for data that does not fit."""
    n_in, n_out = network.input_size, network.layers[-1].size
    if data_path is None:
        data = Dataset(np.zeros((1, n_in)), np.zeros((1, n_out)))
    else:
        try:
            with open_regular_file(data_path) as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as file:
                columns = len(next(csv.reader(file), []))
        except (OSError, FileRefused, UnicodeDecodeError, csv.Error) as error:
            raise DatasetError(
                f"{data_path}: cannot read the file ({getattr(error, 'strerror', None) or error})"
            ) from None
        if columns == n_in + 1 and n_out > 1:  # one column of class labels: one-hot targets
            data = read_csv(data_path, range(n_in), one_hot_column=n_in)
        elif columns == n_in + n_out:
            data = read_csv(data_path, range(n_in), range(n_in, n_in + n_out))
        else:
            raise DatasetError(
                f"{data_path}: expected {n_in} input columns and then {n_out} target columns "
                f"(n_0 = {n_in}, n_L = {n_out}), found {columns} columns"
            )
    name = Path(model_path).stem
    return Session(name, network, data, description=f"imported from {Path(model_path).name}")
