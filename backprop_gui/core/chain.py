"""The chain rule in factors: a gradient as the sum over every path from a parameter to the loss.

For the weight w_jk^l the course's derivative is

    ∂C/∂w_jk^l = Σ_paths ∂C/∂a_m^L · ∂a_m^L/∂z_i^L · w_ii'^L · f′(z_i'^{L−1}) · … · f′(z_j^l) · a_k^{l−1}

one path per choice of a neuron in each layer above l. With an elementwise output activation
∂a_m^L/∂z_i^L is f′(z_i^L) for m = i and 0 otherwise, so only m = i paths exist; a softmax
output couples its neurons (∂a_m/∂z_i = a_m (1[m = i] − a_i)), so every (m, i) pair is a path.
A bias's paths end in ∂z_j^l/∂b_j^l = 1 and a δ_j^l's stop at z_j^l. For a minibatch of B
samples each path of each sample is one row, with the factor 1/B of the mean.

Every factor is read from the pass the stepper computed (z, a, ∂C/∂a and the weights the pass
started from) and f′ through the activation registry; the paths are enumerated and summed
here, independently of backprop's δ recursion, so their total checks backprop's value.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.backprop import PassResult
from backprop_gui.core.formulas import Fn, Op, Sym, Token, Tokens, index, to_text
from backprop_gui.core.network import Network
from backprop_gui.core.stepper import Quantity, Stepper

SHOWN_PATHS = 8  # rows listed by default; the rest are summed in one row
ENUMERATION_LIMIT = 2_000_000  # beyond this many paths the total is summed layer by layer instead

KINDS = ("weight", "bias", "delta")


@dataclass(frozen=True)
class Factor:
    """One local derivative of a path: its symbol (tokens, e.g. f′(z_1^2)) and its value."""

    symbol: Tokens
    value: float

    @property
    def text(self) -> str:
        return to_text(self.symbol)


@dataclass(frozen=True)
class ChainPath:
    """One path from the parameter to the loss.

    ``sample`` is the sample's place in the minibatch (0-based); ``neurons`` the neuron (0-based)
    it passes in each layer from ``start`` (the parameter's layer l) up to L; ``output`` the output
    neuron m whose a_m^L meets C (the last of ``neurons`` unless the output is a softmax);
    ``factors`` in the order loss → parameter; ``product`` their product.
    """

    sample: int
    start: int
    neurons: tuple[int, ...]
    output: int
    factors: tuple[Factor, ...]
    product: float

    def edges(self) -> list[tuple[int, int, int]]:
        """The (layer, j, k) of every weight w_jk^layer the path crosses above its start (0-based j, k)."""
        return [(self.start + d + 1, self.neurons[d + 1], self.neurons[d]) for d in range(len(self.neurons) - 1)]


@dataclass(frozen=True)
class ChainRule:
    """∂C/∂(parameter) as a sum over paths.

    ``paths`` are the ``shown`` largest by |product|, largest first; the other ``rest_count``
    paths sum to ``rest_sum``; ``total`` is the sum over all ``path_count`` paths (computed
    path by path when ``enumerated``, else grouped layer by layer), ``magnitude`` the sum of
    their |products| (the scale of ``total``'s rounding where paths cancel) and ``backprop``
    the value the pass computed. ``factoring`` says how backprop's δ recursion factors the same sum.
    """

    kind: str
    layer: int
    j: int
    k: int | None
    target: Tokens
    general: Tokens
    paths: tuple[ChainPath, ...]
    path_count: int
    rest_count: int
    rest_sum: float
    total: float
    magnitude: float
    backprop: float
    enumerated: bool
    factoring: str


def _z(l: int, i: int) -> Sym:
    return Sym("z", index(i), str(l))


def _prime(l: int, i: int) -> Tokens:
    return Fn("f′"), Op("("), _z(l, i), Op(")")


def _input_symbol(l: int, k: int) -> Sym:
    """a_k^{l−1}, or x_k for layer 1."""
    return Sym("x", index(k)) if l == 1 else Sym("a", index(k), str(l - 1))


class _Pass:
    """The local derivatives of one pass: f′(z) per layer (n_l, B), the output's routes, the weights."""

    def __init__(self, network: Network, record: PassResult, weights: dict[int, np.ndarray]) -> None:
        self.network = network
        self.record = record
        self.weights = weights
        self.depth = network.depth
        self.sizes = network.sizes
        self.softmax = network.layers[-1].activation == "softmax"
        self.prime: dict[int, np.ndarray] = {}
        for l, layer in enumerate(network.layers, start=1):
            act = ACTIVATIONS[layer.activation]
            if act.derivative is not None:
                self.prime[l] = act.derivative(record.z[l], record.a[l])

    def routes(self, s: int) -> list[tuple[int, int, float, tuple[Factor, Factor]]]:
        """Every way from C into the output's weighted inputs for sample ``s``: (i, m, value, factors).

        Elementwise: one route per i (m = i), ∂C/∂a_i^L · f′(z_i^L). Softmax: one per (m, i),
        ∂C/∂a_m^L · ∂a_m^L/∂z_i^L with ∂a_m/∂z_i = a_m (1[m = i] − a_i).
        """
        L, g = self.depth, self.record.grad_a[:, s]
        n = len(g)
        grad = [Factor((Sym("∂C/∂a", index(m), str(L)),), float(g[m])) for m in range(n)]
        if not self.softmax:
            f = self.prime[L][:, s]
            return [(i, i, float(g[i] * f[i]), (grad[i], Factor(_prime(L, i), float(f[i])))) for i in range(n)]
        a = self.record.a[L][:, s]
        jacobian = a[:, None] * (np.eye(n) - a[None, :])  # [m, i] = ∂a_m/∂z_i
        return [
            (i, m, float(g[m] * jacobian[m, i]), (grad[m], Factor(_softmax_symbol(L, m, i), float(jacobian[m, i]))))
            for m in range(n)
            for i in range(n)
        ]

    def hop(self, m: int, s: int) -> tuple[np.ndarray, np.ndarray]:
        """From layer m+1 down to layer m for sample s: (w^{m+1} (n_{m+1}, n_m), f′(z^m) (n_m,))."""
        return self.weights[m + 1], self.prime[m][:, s]

    def count(self, l: int) -> int:
        """Paths into z_j^l for one sample: a neuron in each layer above l (and an output m for softmax)."""
        n = self.sizes
        return int(np.prod(n[l + 1 :], dtype=np.int64)) * (n[-1] if self.softmax else 1)


def _softmax_symbol(L: int, m: int, i: int) -> Tokens:
    return Sym("∂a", index(m), str(L)), Op("/"), Sym("∂z", index(i), str(L))


_Partial = tuple[float, tuple[int, ...], int, tuple[Factor, ...]]  # value, neurons from here up to L, m, factors


def _top_paths(p: _Pass, l: int, j: int, s: int, keep: int) -> list[_Partial]:
    """The ``keep`` paths from C into z_j^l of sample ``s`` with the largest |product|, largest first.

    Exact without listing every path: at each layer only each neuron's ``keep`` best partial
    paths can lead to a best path, since a hop multiplies every path through a neuron alike.
    """
    partial: dict[int, list[_Partial]] = {}
    for i, m, value, factors in p.routes(s):
        partial.setdefault(i, []).append((value, (i,), m, factors))
    for m in range(p.depth - 1, l - 1, -1):
        w, f = p.hop(m, s)
        below: dict[int, list[_Partial]] = {}
        for i2 in [j] if m == l else range(w.shape[1]):
            prime = Factor(_prime(m, i2), float(f[i2]))
            options = [
                (
                    value * w[i, i2] * f[i2],
                    (i2, *ns),
                    out,
                    (*fs, Factor((Sym("w", index(i, i2), str(m + 1)),), float(w[i, i2])), prime),
                )
                for i, items in partial.items()
                for value, ns, out, fs in heapq.nlargest(keep, items, key=_size)
            ]
            below[i2] = heapq.nlargest(keep, options, key=_size)
        partial = below
    return heapq.nlargest(keep, partial.get(j, []), key=_size)


def _size(partial: _Partial) -> float:
    return abs(partial[0])


def _sum_paths(p: _Pass, l: int, j: int, s: int) -> tuple[float, float, bool]:
    """(Σ over every path from C into z_j^l of sample s, Σ of their |products|, whether it was summed
    path by path).

    Path by path (an array with one entry per path) when there are at most ENUMERATION_LIMIT,
    else grouped by the neuron each path passes, layer by layer (|product|s grouped alike).
    """
    routes = p.routes(s)
    at = np.array([i for i, _, _, _ in routes])
    paths = np.array([value for _, _, value, _ in routes])
    if p.count(l) > ENUMERATION_LIMIT:
        per_neuron = np.bincount(at, weights=paths, minlength=p.sizes[-1])
        sizes = np.bincount(at, weights=np.abs(paths), minlength=p.sizes[-1])
        for m in range(p.depth - 1, l - 1, -1):
            w, f = p.hop(m, s)
            per_neuron = (w.T @ per_neuron) * f
            sizes = (np.abs(w).T @ sizes) * np.abs(f)
        return float(per_neuron[j]), float(sizes[j]), False
    for m in range(p.depth - 1, l - 1, -1):  # each path so far branches into every neuron of layer m
        w, f = p.hop(m, s)
        below = np.array([j]) if m == l else np.arange(w.shape[1])
        paths = (paths[:, None] * (w[at][:, below] * f[below][None, :])).ravel()
        at = np.tile(below, len(at))
    mine = paths[at == j]
    return float(np.sum(mine)), float(np.sum(np.abs(mine))), True


def _factoring(p: _Pass, l: int, count: int, factors: int) -> str:
    """How backprop's δ recursion groups the same sum, and what that saves."""
    n, L = p.sizes, p.depth
    if count == 1:
        return (
            f"One path only: backprop multiplies the same factors, starting from δ^{L} = ∂C/∂a^{L} ⊙ f′(z^{L}) "
            "and going back one layer at a time."
        )
    backprop = (n[L] * n[L] + n[L] if p.softmax else n[L]) + sum(n[m] * n[m + 1] + n[m] for m in range(l, L))
    return (
        f"Backprop never lists these {count} paths: going back, δ_j^m = f′(z_j^m) Σ_i w_ij^{{m+1}} δ_i^{{m+1}} "
        f"adds up every path through neuron j of layer m once, so each later path reuses that sum: about "
        f"{backprop} multiplications instead of {count * max(factors - 1, 0)}."
    )


def path_sum(
    network: Network,
    record: PassResult,
    weights: dict[int, np.ndarray],
    kind: str,
    layer: int,
    j: int,
    k: int | None = None,
    shown: int = SHOWN_PATHS,
) -> ChainRule:
    """∂C/∂w_jk^layer (``kind`` "weight"), ∂C/∂b_j^layer ("bias") or δ_j^layer ("delta") of the pass
    ``record`` as a sum over paths; ``weights[l]`` are the w^l the pass used; j, k 0-based.

    A δ is the first sample's; a gradient is the minibatch's mean (each row carries 1/B).
    Raises ValueError for an unknown kind, or a neuron, edge or bias that does not exist.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown chain-rule target {kind!r} (known: {', '.join(KINDS)})")
    sizes, l = network.sizes, layer
    if not 1 <= l <= network.depth or not 0 <= j < sizes[l]:
        raise ValueError(f"neuron {j + 1} of layer {l} does not exist")
    if kind == "weight" and (k is None or not 0 <= k < sizes[l - 1]):
        raise ValueError(f"layer {l} has no weight from neuron {'?' if k is None else k + 1} of layer {l - 1}")
    if kind == "bias" and not network.layer(l).has_bias:
        raise ValueError(f"layer {l} has no bias, so b_{index(j)}^{l} has no gradient")
    p = _Pass(network, record, weights)
    batch = 1 if kind == "delta" else record.x.shape[1]
    front = (Factor((Op(f"1/{batch}"),), 1.0 / batch),) if batch > 1 else ()
    ends: list[tuple[Factor, ...]]
    if kind == "weight" and k is not None:  # (a weight always has its k: checked above)
        target: Tokens = (Sym("∂C/∂w", index(j, k), str(l)),)
        backprop = float(record.grad_w[l][j, k])
        ends = [(Factor((_input_symbol(l, k),), float(record.a[l - 1][k, s])),) for s in range(batch)]
    elif kind == "bias":
        target = (Sym("∂C/∂b", index(j), str(l)),)
        backprop = float(record.grad_b[l][j])
        ends = [(Factor((Sym("∂z", index(j), str(l)), Op("/"), Sym("∂b", index(j), str(l))), 1.0),)] * batch
    else:
        target = (Sym("δ", index(j), str(l)),)
        backprop = float(record.delta[l][j, 0])
        ends = [()]
    total, magnitude, enumerated = 0.0, 0.0, True
    rows: list[ChainPath] = []
    for s in range(batch):
        scale = float(np.prod([f.value for f in (*front, *ends[s])]))
        value, size, done = _sum_paths(p, l, j, s)
        total += value * scale
        magnitude += size * abs(scale)
        enumerated = enumerated and done
        for part, ns, m, fs in _top_paths(p, l, j, s, shown):
            rows.append(ChainPath(s, l, ns, m, (*front, *fs, *ends[s]), part * scale))
    rows = sorted(rows, key=lambda path: -abs(path.product))[:shown]
    count = batch * p.count(l)
    return ChainRule(
        kind=kind,
        layer=l,
        j=j,
        k=k,
        target=target,
        general=_general(p, kind, l, j, k),
        paths=tuple(rows),
        path_count=count,
        rest_count=count - len(rows),
        rest_sum=total - sum(path.product for path in rows),
        total=total,
        magnitude=magnitude,
        backprop=backprop,
        enumerated=enumerated,
        factoring=_factoring(p, l, count, len(rows[0].factors) if rows else 0),
    )


def _general(p: _Pass, kind: str, l: int, j: int, k: int | None) -> Tokens:
    """The sum in letters: ∂C/∂w_jk^l = Σ_paths ∂C/∂a^L · … · f′(z_j^l) · a_k^{l−1}."""
    L = p.depth
    out: list[Token] = [Sym("Σ", "paths")]
    if p.softmax:
        out += [Sym("∂C/∂a", "m", str(L)), Op("·"), Sym("∂a", "m", str(L)), Op("/"), Sym("∂z", "i", str(L))]
    else:
        out += [Sym("∂C/∂a", "i", str(L)), Op("·"), Fn("f′"), Op("("), Sym("z", "i", str(L)), Op(")")]
    if l < L:
        out += [Op("·"), Op("…"), Op("·"), Fn("f′"), Op("("), _z(l, j), Op(")")]
    if kind == "weight" and k is not None:
        out += [Op("·"), _input_symbol(l, k)]
    return tuple(out)


def chain_rule(stepper: Stepper, kind: str, layer: int, j: int, k: int | None = None) -> ChainRule | None:
    """The paths of the stepper's pass into ∂C/∂w_jk^layer, ∂C/∂b_j^layer or δ_j^layer (j, k 0-based),
    or None while that value is not known yet (before its Backward phase)."""
    quantity = {"weight": Quantity.GRAD_WEIGHTS, "bias": Quantity.GRAD_BIASES, "delta": Quantity.DELTA}.get(kind)
    if quantity is None:
        raise ValueError(f"unknown chain-rule target {kind!r} (known: {', '.join(KINDS)})")
    network = stepper.network
    if not 1 <= layer <= network.depth or not 0 <= j < network.sizes[layer]:
        raise ValueError(f"neuron {j + 1} of layer {layer} does not exist")
    if not stepper.known(quantity, layer)[j]:
        return None
    weights = {l: stepper.weights_before(l)[0] for l in range(1, network.depth + 1)}
    return path_sum(network, stepper.record, weights, kind, layer, j, k)
