"""Speed of training against a bare numpy loop and PyTorch, measured side by side in one run.

Not part of the default test run. Run with ``pytest tests/benchmarks -p no:cacheprovider -s``
or as a script, ``python tests/benchmarks/test_speed.py``. Each target is a ratio of times
measured in interleaved repeats (so drifts in machine load hit both sides alike); the median
ratio is printed and asserted:

- per-sample SGD step (batch 1) on a 2-8-8-1 tanh network, ½ Σ (a − t)²:
  ``Trainer.step`` at most 1.5× the time of a hand-written numpy loop doing the same arithmetic,
  and at least 5× faster than PyTorch eager in float64;
- minibatch (64) SGD step on a 784-128-10 network, ReLU hidden layer, softmax output with
  cross-entropy: at least 1.5× faster than PyTorch eager in float64;
- per-sample step on the 2-8-8-1 network with momentum or with Adam: at most 1.3× the time of
  the plain SGD step.

numpy's matrix products are OpenBLAS's, which runs the kernels of the processor it finds unless
OPENBLAS_CORETYPE names others. Some machines set it (with OPENBLAS_L2_SIZE) so that old OpenBLAS
builds do not fail on new processors; numpy then runs older, slower kernels, while PyTorch's own
library does not read it, and the minibatch comparison understates numpy. Measure as a user's
machine runs, with both unset for that one command:
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python tests/benchmarks/test_speed.py``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import numpy as np
import pytest

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.network import Network, build_network
from backprop_gui.core.optimizers import OptimizerSettings, UpdateRule
from backprop_gui.core.training import Trainer, TrainingSettings

try:
    import torch
except ImportError:  # the PyTorch comparisons are skipped
    torch = None

LEARNING_RATE = 0.01
SMALL_SAMPLES = 256  # one epoch of the per-sample benchmark
BIG_BATCH, BIG_BATCHES = 64, 20
REPEATS = 21
# OpenBLAS and OpenMP worker threads spin for a while after their work before they sleep; a pause
# before each timing keeps one contender's spinning threads from taking the cores from the next.
PAUSE = 0.15

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


# --- the problems -----------------------------------------------------------------


def small_problem() -> tuple[Network, Dataset]:
    """2-8-8-1, tanh in every layer, ½ Σ (a − t)²; 256 samples as rows."""
    rng = np.random.default_rng(0)
    network = build_network(2, [8, 8, 1], ["tanh", "tanh", "tanh"], seed=1)
    inputs = rng.uniform(-1, 1, size=(SMALL_SAMPLES, 2))
    return network, Dataset(inputs, 0.8 * np.sin(inputs[:, :1] * inputs[:, 1:] * 3))


def big_problem() -> tuple[Network, Dataset]:
    """784-128-10, ReLU hidden layer, softmax output, cross-entropy; 1280 one-hot samples as rows."""
    rng = np.random.default_rng(0)
    network = build_network(784, [128, 10], ["relu", "softmax"], loss="cross_entropy", init="he", seed=1)
    n = BIG_BATCH * BIG_BATCHES
    targets = np.eye(10)[rng.integers(0, 10, size=n)]
    return network, Dataset(rng.uniform(0, 1, size=(n, 784)), targets)


def settings(batch_size: int, optimizer: str = "sgd") -> TrainingSettings:
    rule = UpdateRule(OptimizerSettings(optimizer))
    return TrainingSettings(learning_rate=LEARNING_RATE, batch_size=batch_size, seed=0, rule=rule)


# --- one epoch each way -----------------------------------------------------------


def trainer_epoch(network: Network, data: Dataset, batch_size: int, epoch: int, optimizer: str = "sgd") -> None:
    """One epoch of ``Trainer.step`` calls (the Trainer is rebuilt at the epoch, as a resumed session does)."""
    trainer = Trainer(network, data, settings(batch_size, optimizer), epoch=epoch)
    for _ in range(trainer.batches_per_epoch):
        trainer.step()


def bare_numpy_epoch(network: Network, data: Dataset, epoch: int) -> list[float]:
    """The same SGD epoch written out by hand: forward, ½ Σ (a − t)², backward, update in place."""
    (w1, b1), (w2, b2), (w3, b3) = [(layer.weights, layer.biases) for layer in network.layers]
    order = np.random.default_rng([0, epoch]).permutation(len(data))
    losses = []
    for i in order:
        x, t = data.inputs[i : i + 1].T, data.targets[i : i + 1].T
        a1 = np.tanh(w1 @ x + b1[:, None])
        a2 = np.tanh(w2 @ a1 + b2[:, None])
        a3 = np.tanh(w3 @ a2 + b3[:, None])
        losses.append(float(0.5 * np.sum((a3 - t) ** 2)))
        d3 = (a3 - t) * (1 - a3 * a3)
        d2 = (w3.T @ d3) * (1 - a2 * a2)
        d1 = (w2.T @ d2) * (1 - a1 * a1)
        w3 -= LEARNING_RATE * (d3 @ a2.T)
        b3 -= LEARNING_RATE * d3[:, 0]
        w2 -= LEARNING_RATE * (d2 @ a1.T)
        b2 -= LEARNING_RATE * d2[:, 0]
        w1 -= LEARNING_RATE * (d1 @ x.T)
        b1 -= LEARNING_RATE * d1[:, 0]
    return losses


class TorchModel:
    """The same network in PyTorch eager, float64, trained by ``torch.optim.SGD``."""

    def __init__(self, network: Network, data: Dataset, batch_size: int) -> None:
        self.params = []
        for layer in network.layers:
            self.params.append(torch.tensor(layer.weights, dtype=torch.float64, requires_grad=True))
            self.params.append(torch.tensor(layer.biases, dtype=torch.float64, requires_grad=True))
        self.activations = [layer.activation for layer in network.layers]
        self.loss = network.loss
        self.inputs = torch.tensor(data.inputs, dtype=torch.float64)
        self.targets = torch.tensor(data.targets, dtype=torch.float64)
        self.batch_size = batch_size
        self.optimiser = torch.optim.SGD(self.params, lr=LEARNING_RATE)

    def epoch(self, epoch: int) -> None:
        order = torch.from_numpy(np.random.default_rng([0, epoch]).permutation(len(self.inputs)))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            a, t = self.inputs[rows], self.targets[rows]  # samples as rows here, as torch prefers
            layers = zip(self.params[::2], self.params[1::2], self.activations, strict=True)
            for w, b, activation in layers:
                z = torch.nn.functional.linear(a, w, b)
                a = {"tanh": torch.tanh, "relu": torch.relu, "softmax": lambda v: v}[activation](z)
            if self.loss == "cross_entropy":  # softmax + cross-entropy on the last z, mean over the batch
                loss = torch.nn.functional.cross_entropy(a, t)
            else:
                loss = 0.5 * ((a - t) ** 2).sum(dim=1).mean()
            self.optimiser.zero_grad(set_to_none=True)
            loss.backward()
            self.optimiser.step()


# --- measuring --------------------------------------------------------------------


def median_ratios(contenders: dict[str, Callable[[int], object]], repeats: int = REPEATS) -> dict[str, float]:
    """Median over interleaved repeats of each contender's time divided by the first contender's."""
    names = list(contenders)
    for name in names:  # warm up caches, allocators and lazy imports
        contenders[name](0)
    ratios: dict[str, list[float]] = {name: [] for name in names[1:]}
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for repeat in range(1, repeats + 1):
        times = {}
        for name in names:
            time.sleep(PAUSE)
            start = time.perf_counter()
            contenders[name](repeat)
            times[name] = time.perf_counter() - start
            seconds[name].append(times[name])
        for name in names[1:]:
            ratios[name].append(times[name] / times[names[0]])
    for name in names:
        print(f"  {name:>14}: {statistics.median(seconds[name]) * 1e3:8.2f} ms per epoch (median)")
    return {name: statistics.median(values) for name, values in ratios.items()}


def per_sample_ratios(with_torch: bool) -> dict[str, float]:
    network, data = small_problem()
    bare_network = network.copy()
    contenders: dict[str, Callable[[int], object]] = {
        "Trainer.step": lambda e: trainer_epoch(network, data, 1, e),
        "bare numpy": lambda e: bare_numpy_epoch(bare_network, data, e),
    }
    if with_torch:
        model = TorchModel(network.copy(), data, 1)
        contenders["torch"] = model.epoch
    print(f"\nper-sample SGD step, 2-8-8-1 tanh, {SMALL_SAMPLES} steps an epoch:")
    ratios = median_ratios(contenders)
    # both sides did the same arithmetic: the same weights after the same epochs
    for ours, bare in zip(network.parameters(), bare_network.parameters(), strict=True):
        np.testing.assert_allclose(ours, bare, rtol=1e-9, atol=1e-12)
    return ratios


def minibatch_ratio() -> float:
    network, data = big_problem()
    model = TorchModel(network.copy(), data, BIG_BATCH)
    print(f"\nminibatch ({BIG_BATCH}) SGD step, 784-128-10 relu/softmax + cross-entropy, {BIG_BATCHES} steps an epoch:")
    forced = os.environ.get("OPENBLAS_CORETYPE")
    if forced:
        print(f"  (numpy's OpenBLAS runs the {forced} kernels OPENBLAS_CORETYPE names, not the processor's own)")
    ratios = median_ratios({"Trainer.step": lambda e: trainer_epoch(network, data, BIG_BATCH, e), "torch": model.epoch})
    ours = network.parameters()
    theirs = [p.detach().numpy() for p in model.params]
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-7, atol=1e-9)
    return ratios["torch"]


def optimizer_ratios() -> dict[str, float]:
    """Per-sample step with momentum and with Adam, each ÷ the plain SGD step, on the small problem."""
    network, data = small_problem()
    copies = {name: network.copy() for name in ("sgd", "momentum", "adam")}
    print(f"\nper-sample step by optimiser, 2-8-8-1 tanh, {SMALL_SAMPLES} steps an epoch:")
    return median_ratios(
        {name: (lambda e, n=name: trainer_epoch(copies[n], data, 1, e, n)) for name in copies}  # type: ignore[misc]
    )


# --- the targets ------------------------------------------------------------------


def test_per_sample_step_is_close_to_bare_numpy() -> None:
    ratio = 1 / per_sample_ratios(with_torch=False)["bare numpy"]
    print(f"  Trainer.step / bare numpy = {ratio:.2f} (target ≤ 1.5)")
    assert ratio <= 1.5


def test_momentum_and_adam_steps_are_close_to_sgd() -> None:
    ratios = optimizer_ratios()
    for name, ratio in ratios.items():
        print(f"  {name} / sgd = {ratio:.2f} (target ≤ 1.3)")
    assert max(ratios.values()) <= 1.3


@requires_torch
def test_per_sample_step_beats_torch() -> None:
    ratios = per_sample_ratios(with_torch=True)
    print(f"  Trainer.step / bare numpy = {1 / ratios['bare numpy']:.2f} (target ≤ 1.5)")
    print(f"  torch / Trainer.step = {ratios['torch']:.2f} (target ≥ 5)")
    assert ratios["torch"] >= 5


@requires_torch
def test_minibatch_step_beats_torch() -> None:
    ratio = minibatch_ratio()
    print(f"  torch / Trainer.step = {ratio:.2f} (target ≥ 1.5)")
    assert ratio >= 1.5


if __name__ == "__main__":
    ratios = per_sample_ratios(with_torch=torch is not None)
    print(f"  Trainer.step / bare numpy = {1 / ratios['bare numpy']:.2f} (target ≤ 1.5)")
    if torch is None:
        print("PyTorch is not installed: the comparisons with it are skipped")
    else:
        print(f"  torch / Trainer.step = {ratios['torch']:.2f} (target ≥ 5)")
        print(f"  torch / Trainer.step = {minibatch_ratio():.2f} (target ≥ 1.5)")
