"""The equations behind every number, as structured tokens, with the stepper's numbers substituted.

For a neuron j of layer l (or an edge w_jk^l) ``equations`` lists the course's equations
that produce its values, in pass order: the general form in symbols, the same form with
the known numbers put in, and the result. Renderers (the formula panel's rich text, the
plain text of ``to_text``, a later Markdown/LaTeX export) walk the same tokens.

Every number comes from the stepper (``Stepper.value`` / ``weights_before``); nothing of
backprop is recomputed here. The only values evaluated are f'(z) through the activation
registry's own ``derivative`` and a sum of targets, both to show a factor the pass uses.
An equation whose result is not yet known carries no numbers, only the phase that will
compute it. Formulas describe the first sample of the pass (the debugger steps one sample).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from backprop_gui.core.activations import ACTIVATIONS
from backprop_gui.core.formatting import format_number
from backprop_gui.core.optimizers import penalty_of
from backprop_gui.core.stepper import Phase, PhaseStep, Quantity, Revealed, Stepper

MAX_TERMS = 6  # sums longer than this show their first HEAD and last TAIL terms around "…"
HEAD, TAIL = 3, 2


@dataclass(frozen=True)
class Sym:
    """A named quantity: ``base`` with subscript ``sub`` and superscript ``sup`` (w, "12", "2")."""

    base: str
    sub: str = ""
    sup: str = ""


@dataclass(frozen=True)
class Num:
    """A number taken from the stepper."""

    value: float


@dataclass(frozen=True)
class Op:
    """An operator, bracket or literal constant: "+", "−", "×", "·", "/", "(", ")", ")²", "…", "½", "1"."""

    text: str


@dataclass(frozen=True)
class Fn:
    """A function name written before "(": σ, tanh, max, log, exp, f′."""

    name: str


Token = Sym | Num | Op | Fn
Tokens = tuple[Token, ...]


@dataclass(frozen=True)
class Equation:
    """One equation ``lhs relation general = numbers = result``.

    ``definition`` is the course's general formula in letters (j, k, l); ``general`` the
    same for this neuron or edge, expanded; ``numbers`` the expansion with known numbers
    (None when not known, or when there is nothing to substitute); ``result`` the stepper's
    value (None while unknown, when ``phase`` names the phase that computes it).
    """

    quantity: Quantity
    title: str
    lhs: Tokens
    definition: Tokens
    general: Tokens
    numbers: Tokens | None
    result: float | None
    phase: PhaseStep | None
    relation: str = "="
    note: str = ""

    @property
    def known(self) -> bool:
        return self.result is not None

    @property
    def pending(self) -> str:
        """Which phase computes this equation ("" once known)."""
        return "" if self.known or self.phase is None else f"computed in {self.phase.label}"


# --- names --------------------------------------------------------------------------------


@lru_cache(maxsize=4096)  # the same few indices, asked for by every equation written
def index(*numbers: int) -> str:
    """1-based subscript of 0-based indices: (0, 1) → "12", (9, 0) → "10,1"."""
    shown = [str(n + 1) for n in numbers]
    return ("," if any(len(s) > 1 for s in shown) else "").join(shown)


def _activation_sym(l: int, j: int | str) -> Sym:
    """a_j^l, or x_j for the input layer."""
    sub = j if isinstance(j, str) else index(j)
    return Sym("x", sub) if l == 0 else Sym("a", sub, str(l))


def _d(name: str, sub: str, sup: str = "") -> Sym:
    return Sym(f"∂C/∂{name}", sub, sup)


# --- building blocks ----------------------------------------------------------------------


def _n(value: float | None, bare: bool = False) -> Tokens:
    """A number; negative ones in brackets unless ``bare`` (inside a function call or alone).
    ``value`` comes from ``_Values`` and must be known: only known results are worked out in numbers."""
    if value is None:
        raise ValueError("a known result was worked out from an unknown number")
    if value < 0 and not bare:
        return Op("("), Num(value), Op(")")
    return (Num(value),)


def _join(terms: Sequence[Tokens], op: str = "+") -> Tokens:
    """``terms`` joined by ``op``; a long list keeps its first and last terms around "…"."""
    if len(terms) > MAX_TERMS:
        terms = [*terms[:HEAD], (Op("…"),), *terms[-TAIL:]]
    return _joined(terms, op)


def _join_each(count: int, term: Callable[[int], Tokens], op: str = "+") -> Tokens:
    """``_join`` of ``term(k)`` for k < ``count``, making only the terms it keeps (a sum over the 784
    inputs of a layer keeps 5)."""
    if count > MAX_TERMS:
        return _joined([*map(term, range(HEAD)), (Op("…"),), *map(term, range(count - TAIL, count))], op)
    return _joined([term(k) for k in range(count)], op)


def _joined(terms: Sequence[Tokens], op: str) -> Tokens:
    out: list[Token] = []
    for i, term in enumerate(terms):
        if i:
            out.append(Op(op))
        out.extend(term)
    return tuple(out)


def _paren(tokens: Tokens, when: bool = True) -> Tokens:
    return (Op("("), *tokens, Op(")")) if when else tokens


def _call(name: str, *args: Tokens) -> Tokens:
    inner: list[Token] = []
    for i, arg in enumerate(args):
        if i:
            inner.append(Op(","))
        inner.extend(arg)
    return (Fn(name), Op("("), *inner, Op(")"))


class _Values:
    """The stepper's numbers of sample 0, by quantity and layer: a value or None when unknown."""

    def __init__(self, stepper: Stepper) -> None:
        self.stepper = stepper
        self.network = stepper.network
        self.depth = stepper.network.depth
        self._cache: dict[tuple[Quantity, int], Revealed] = {}

    def get(self, q: Quantity, l: int, j: int, k: int | None = None) -> float | None:
        key = (q, l)
        if key not in self._cache:
            self._cache[key] = self.stepper.value(q, l)
        revealed = self._cache[key]
        if not revealed.known[j]:
            return None
        return float(revealed.values[j, 0 if k is None else k] if revealed.values.ndim == 2 else revealed.values[j])

    def known(self, q: Quantity, l: int, j: int, k: int | None = None) -> float:
        """A value a known result was computed from, so known too (ValueError if not)."""
        value = self.get(q, l, j, k)
        if value is None:
            raise ValueError(f"{q.name} of layer {l} is not known yet")
        return value

    def activation(self, l: int, j: int) -> float | None:
        return self.get(Quantity.INPUT, 0, j) if l == 0 else self.get(Quantity.ACTIVATION, l, j)

    def weights(self, l: int) -> np.ndarray:
        return self.stepper.weights_before(l)[0]

    def biases(self, l: int) -> np.ndarray:
        return self.stepper.weights_before(l)[1]

    def derivative(self, l: int, z: float, a: float) -> float:
        """f_l'(z) through the activation registry (the same f' the pass used)."""
        act = ACTIVATIONS[self.network.layer(l).activation]
        if act.derivative is None:
            raise ValueError(f"{act.name} has no elementwise f′ (it back-propagates through its Jacobian)")
        return float(act.derivative(np.array([[z]]), np.array([[a]]))[0, 0])


def _forward(l: int) -> PhaseStep:
    return PhaseStep(Phase.FORWARD, l)


def _backward(l: int) -> PhaseStep:
    return PhaseStep(Phase.BACKWARD, l)


LOSS_STEP = PhaseStep(Phase.LOSS)
UPDATE_STEP = PhaseStep(Phase.UPDATE)


# --- the equations ------------------------------------------------------------------------


def _product(left: Tokens, right: Tokens, numeric: bool) -> Tokens:
    """``left right`` in symbols (juxtaposed), ``left × right`` in numbers."""
    return (*left, Op("×"), *right) if numeric else (*left, *right)


def _weighted_input(v: _Values, l: int, j: int) -> Equation:
    layer = v.network.layer(l)
    prev = "x" if l == 1 else "a"
    definition: Tokens = (
        Sym("z", "j", "l"), Op("="), Sym("Σ", "k"), Sym("w", "jk", "l"), Sym(prev, "k", "" if l == 1 else "l−1"),
    )  # fmt: skip
    count = layer.weights.shape[1]
    general: Tokens = _join_each(count, lambda k: (Sym("w", index(j, k), str(l)), _activation_sym(l - 1, k)))
    if layer.has_bias:
        definition += (Op("+"), Sym("b", "j", "l"))
        general += (Op("+"), Sym("b", index(j), str(l)))
    result = v.get(Quantity.WEIGHTED_INPUT, l, j)
    numbers = None
    if result is not None:
        w = v.weights(l)
        numbers = _join_each(count, lambda k: _product(_n(float(w[j, k])), _n(v.activation(l - 1, k)), True))
        if layer.has_bias:
            numbers += (Op("+"), *_n(float(v.biases(l)[j])))
    lhs = (Sym("z", index(j), str(l)),)
    return Equation(Quantity.WEIGHTED_INPUT, "Weighted input", lhs, definition, general, numbers, result, _forward(l))


_FUNCTION_NAMES = {"sigmoid": "σ", "tanh": "tanh", "softplus": "softplus"}


def _activation(v: _Values, l: int, j: int) -> Equation:
    name = v.network.layer(l).activation
    n = v.network.layer(l).size
    z_sym = Sym("z", index(j), str(l))
    z = v.get(Quantity.WEIGHTED_INPUT, l, j)
    result = v.get(Quantity.ACTIVATION, l, j)
    known = result is not None
    definition: Tokens = (Sym("a", "j", "l"), Op("="), Sym("f", "", "l"), Op("("), Sym("z", "j", "l"), Op(")"))
    numbers: Tokens | None = None
    if name == "softmax":
        definition = (
            Sym("a", "j", "L"), Op("="), *_call("exp", (Sym("z", "j", "L"),)), Op("/"), Sym("Σ", "k"),
            *_call("exp", (Sym("z", "k", "L"),)),
        )  # fmt: skip
        exps = [_call("exp", (Sym("z", index(k), str(l)),)) for k in range(n)]
        general = (*_call("exp", (z_sym,)), Op("/"), *_paren(_join(exps), n > 1))
        if known:
            zs = [v.get(Quantity.WEIGHTED_INPUT, l, k) for k in range(n)]
            exps = [_call("exp", _n(zk, bare=True)) for zk in zs]
            numbers = (*_call("exp", _n(z, bare=True)), Op("/"), *_paren(_join(exps), n > 1))
    elif name == "relu":
        general = _call("max", (Op("0"),), (z_sym,))
        numbers = _call("max", (Op("0"),), _n(z, bare=True)) if known else None
    elif name == "leaky_relu":
        general = _call("max", (Op("0.01"), Op("·"), z_sym), (z_sym,))
        numbers = _call("max", (Op("0.01"), Op("×"), *_n(z)), _n(z, bare=True)) if known else None
    elif name == "linear":
        general = (z_sym,)
    else:
        general = _call(_FUNCTION_NAMES[name], (z_sym,))
        numbers = _call(_FUNCTION_NAMES[name], _n(z, bare=True)) if known else None
    lhs = (Sym("a", index(j), str(l)),)
    note = f"{name}: {ACTIVATIONS[name].formula}"
    return Equation(
        Quantity.ACTIVATION, "Activation", lhs, definition, general, numbers, result, _forward(l), note=note
    )


def _loss_form(loss: str, a: Sequence[Tokens], t: Sequence[Tokens], numeric: bool) -> Tokens:
    """The right-hand side of C for outputs ``a`` and targets ``t`` (one token group per neuron)."""
    n = len(a)
    if loss in ("half_squared_error", "mean_squared_error"):
        squares = [(Op("("), *a[j], Op("−"), *t[j], Op(")²")) for j in range(n)]
        front: Tokens = (Op("½"),) if loss == "half_squared_error" else (Op("1"), Op("/"), Op(str(n)), Op("·"))
        if numeric and loss == "half_squared_error":
            front = (Op("½"), Op("×"))
        return (*front, *_paren(_join(squares), n > 1))
    if loss == "cross_entropy":
        terms = [_product(t[j], _call("log", a[j]), numeric) for j in range(n)]
        return (Op("−"), *_paren(_join(terms), n > 1))
    terms = [
        (*_product(t[j], _call("log", a[j]), numeric), Op("+"),
         *_product((Op("("), Op("1"), Op("−"), *t[j], Op(")")), _call("log", (Op("1"), Op("−"), *a[j])), numeric))
        for j in range(n)
    ]  # fmt: skip
    return (Op("−"), *_paren(_join(terms)))


_LOSS_DEFINITIONS: dict[str, Tokens] = {
    "half_squared_error": (Op("½"), Sym("Σ", "j"), Op("("), Sym("a", "j", "L"), Op("−"), Sym("t", "j"), Op(")²")),
    "mean_squared_error": (
        Op("1"), Op("/"), Sym("n", "L"), Op("·"), Sym("Σ", "j"), Op("("), Sym("a", "j", "L"), Op("−"), Sym("t", "j"),
        Op(")²"),
    ),
    "cross_entropy": (Op("−"), Sym("Σ", "j"), Sym("t", "j"), *_call("log", (Sym("a", "j", "L"),))),
    "binary_cross_entropy": (
        Op("−"), Sym("Σ", "j"), Op("["), Sym("t", "j"), *_call("log", (Sym("a", "j", "L"),)), Op("+"), Op("("), Op("1"),
        Op("−"), Sym("t", "j"), Op(")"), *_call("log", (Op("1"), Op("−"), Sym("a", "j", "L"))), Op("]"),
    ),
}  # fmt: skip


def _loss(v: _Values) -> Equation:
    L = v.depth
    n = v.network.layer(L).size
    loss = v.network.loss
    result = v.get(Quantity.LOSS, 0, 0)
    a_sym = [(Sym("a", index(j), str(L)),) for j in range(n)]
    t_sym = [(Sym("t", index(j)),) for j in range(n)]
    numbers = None
    if result is not None:
        logs = loss in ("cross_entropy", "binary_cross_entropy")
        a_num = [_n(v.get(Quantity.ACTIVATION, L, j), bare=logs) for j in range(n)]
        t_num = [_n(v.get(Quantity.TARGET, 0, j)) for j in range(n)]
        numbers = _loss_form(loss, a_num, t_num, True)
    definition = (Sym("C"), Op("="), *_LOSS_DEFINITIONS[loss])
    title = f"Loss ({loss.replace('_', ' ')})"
    return Equation(
        Quantity.LOSS, title, (Sym("C"),), definition, _loss_form(loss, a_sym, t_sym, False), numbers, result, LOSS_STEP
    )


def _regularised_loss(v: _Values) -> list[Equation]:
    """C = C₀ + (λ/2) Σ w² (l2) or C₀ + λ Σ |w| (l1), with both parts, when a penalty is set."""
    reg = v.stepper.rule.regularization
    if not reg.active:
        return []
    depth = v.depth
    weights = [v.weights(l) for l in range(1, depth + 1)]
    biases = [v.biases(l) for l in range(1, depth + 1)]
    penalty = penalty_of(weights, biases, reg)
    data_loss = v.get(Quantity.LOSS, 0, 0)
    params = "w, b" if reg.biases else "w"
    if reg.kind == "l2":
        term: Tokens = (Op("("), Sym("λ"), Op("/"), Op("2"), Op(")"), Sym(f"‖{params}‖", "", "2"))
        note = f"(λ/2)‖{params}‖² = {format_number(penalty, 6)}"
    else:
        term = (Sym("λ"), Sym(f"‖{params}‖", "1"))
        note = f"λ‖{params}‖₁ = {format_number(penalty, 6)}"
    definition = (Sym("C"), Op("="), Sym("C₀"), Op("+"), *term)
    numbers = None if data_loss is None else (*_n(data_loss), Op("+"), *_n(penalty))
    result = None if data_loss is None else data_loss + penalty
    general = (Sym("C₀"), Op("+"), *term)
    title = f"Loss with {reg.kind.upper()} penalty"
    return [Equation(Quantity.LOSS, title, (Sym("C"),), definition, general, numbers, result, LOSS_STEP, note=note)]


def _gradient_form(loss: str, n: int, a: Tokens, t: Tokens) -> Tokens:
    """∂C/∂a_j^L for output ``a`` and target ``t``."""
    if loss == "half_squared_error":
        return (*a, Op("−"), *t)
    if loss == "mean_squared_error":
        return (Op("2"), Op("/"), Op(str(n)), Op("·"), Op("("), *a, Op("−"), *t, Op(")"))
    if loss == "cross_entropy":
        return (Op("−"), *t, Op("/"), *a)
    return (
        Op("−"),
        *t,
        Op("/"),
        *a,
        Op("+"),
        Op("("),
        Op("1"),
        Op("−"),
        *t,
        Op(")"),
        Op("/"),
        Op("("),
        Op("1"),
        Op("−"),
        *a,
        Op(")"),
    )


def _output_gradient(v: _Values, j: int) -> Equation:
    L = v.depth
    n = v.network.layer(L).size
    loss = v.network.loss
    result = v.get(Quantity.OUTPUT_GRADIENT, 0, j)
    general = _gradient_form(loss, n, (Sym("a", index(j), str(L)),), (Sym("t", index(j)),))
    numbers = None
    if result is not None:
        numbers = _gradient_form(loss, n, _n(v.get(Quantity.ACTIVATION, L, j)), _n(v.get(Quantity.TARGET, 0, j)))
    definition = (_d("a", "j", "L"), Op("="), *_gradient_form(loss, n, (Sym("a", "j", "L"),), (Sym("t", "j"),)))
    if loss == "mean_squared_error":
        definition = (_d("a", "j", "L"), Op("="), Op("2"), Op("/"), Sym("n", "L"), *definition[5:])
    lhs = (_d("a", index(j), str(L)),)
    return Equation(Quantity.OUTPUT_GRADIENT, "Output gradient", lhs, definition, general, numbers, result, LOSS_STEP)


def _output_delta(v: _Values, j: int) -> Equation:
    L = v.depth
    n = v.network.layer(L).size
    name = v.network.layer(L).activation
    loss = v.network.loss
    result = v.get(Quantity.DELTA, L, j)
    known = result is not None
    a_sym, t_sym, g_sym = Sym("a", index(j), str(L)), Sym("t", index(j)), _d("a", index(j), str(L))
    definition: Tokens = (
        Sym("δ", "j", "L"),
        Op("="),
        _d("a", "j", "L"),
        Op("·"),
        Fn("f′"),
        Op("("),
        Sym("z", "j", "L"),
        Op(")"),
    )
    numbers: Tokens | None = None
    note = ""
    if name == "softmax" and loss == "cross_entropy":
        targets = [v.known(Quantity.TARGET, 0, k) for k in range(n)]
        general: Tokens
        if np.isclose(sum(targets), 1.0):
            general = (a_sym, Op("−"), t_sym)
            numbers = (*_n(v.get(Quantity.ACTIVATION, L, j)), Op("−"), *_n(targets[j])) if known else None
            # the formulas in these notes are kept on one line (no-break spaces)
            note = "softmax with cross-entropy (targets summing to 1): the Jacobian collapses to a\u00a0−\u00a0t"
        else:
            general = (a_sym, Sym("Σ", "k"), Sym("t", "k"), Op("−"), t_sym)
            if known:
                numbers = (
                    *_n(v.get(Quantity.ACTIVATION, L, j)),
                    Op("×"),
                    *_n(float(sum(targets))),
                    Op("−"),
                    *_n(targets[j]),
                )
            note = "softmax with cross-entropy: the Jacobian collapses to a\u00a0Σt\u00a0−\u00a0t"
    elif name == "sigmoid" and loss == "binary_cross_entropy":
        general = (a_sym, Op("−"), t_sym)
        numbers = (*_n(v.get(Quantity.ACTIVATION, L, j)), Op("−"), *_n(v.get(Quantity.TARGET, 0, j))) if known else None
        note = "sigmoid with binary cross-entropy: σ′ cancels, leaving a\u00a0−\u00a0t"
    elif name == "softmax":
        pairs = [(Sym("a", index(k), str(L)), _d("a", index(k), str(L))) for k in range(n)]
        general = (a_sym, Op("("), g_sym, Op("−"), *_paren(_join(pairs), n > 1), Op(")"))
        if known:
            outputs = [v.get(Quantity.ACTIVATION, L, k) for k in range(n)]
            g = [v.get(Quantity.OUTPUT_GRADIENT, 0, k) for k in range(n)]
            products = _join([_product(_n(outputs[k]), _n(g[k]), True) for k in range(n)])
            numbers = (*_n(outputs[j]), Op("×"), Op("("), *_n(g[j]), Op("−"), *_paren(products, n > 1), Op(")"))
        note = "softmax: δ_j = a_j (∂C/∂a_j − Σ_k a_k ∂C/∂a_k), its Jacobian applied to ∂C/∂a"
    else:
        general = (g_sym, Op("·"), *_call("f′", (Sym("z", index(j), str(L)),)))
        if known:
            z, a = v.known(Quantity.WEIGHTED_INPUT, L, j), v.known(Quantity.ACTIVATION, L, j)
            numbers = (*_n(v.get(Quantity.OUTPUT_GRADIENT, 0, j)), Op("×"), *_n(v.derivative(L, z, a)))
        note = f"f′ of {name}"
    lhs = (Sym("δ", index(j), str(L)),)
    return Equation(Quantity.DELTA, "Output error", lhs, definition, general, numbers, result, _backward(L), note=note)


def _hidden_delta(v: _Values, l: int, j: int) -> Equation:
    n_next = v.network.layer(l + 1).size
    up = str(l + 1)
    definition = (
        Sym("δ", "j", "l"), Op("="), Op("("), Sym("Σ", "k"), Sym("w", "kj", "l+1"), Sym("δ", "k", "l+1"), Op(")"),
        Op("·"), *_call("f′", (Sym("z", "j", "l"),)),
    )  # fmt: skip
    terms = _join_each(n_next, lambda k: (Sym("w", index(k, j), up), Sym("δ", index(k), up)))
    general = (*_paren(terms, n_next > 1), Op("·"), *_call("f′", (Sym("z", index(j), str(l)),)))
    result = v.get(Quantity.DELTA, l, j)
    numbers = None
    if result is not None:
        w = v.weights(l + 1)
        products = _join_each(n_next, lambda k: _product(_n(float(w[k, j])), _n(v.get(Quantity.DELTA, l + 1, k)), True))
        z, a = v.known(Quantity.WEIGHTED_INPUT, l, j), v.known(Quantity.ACTIVATION, l, j)
        numbers = (*_paren(products, n_next > 1), Op("×"), *_n(v.derivative(l, z, a)))
    lhs = (Sym("δ", index(j), str(l)),)
    note = f"f′ of {v.network.layer(l).activation}"
    return Equation(Quantity.DELTA, "Error", lhs, definition, general, numbers, result, _backward(l), note=note)


def _batch_note(v: _Values) -> str:
    size = len(v.stepper.sample_indices)
    return f"the mean over the {size} samples of the minibatch" if size > 1 else ""


def _grad_weight(v: _Values, l: int, j: int, k: int) -> Equation:
    prev = _activation_sym(l - 1, k)
    definition = (
        _d("w", "jk", "l"),
        Op("="),
        Sym("x" if l == 1 else "a", "k", "" if l == 1 else "l−1"),
        Sym("δ", "j", "l"),
    )
    general = (prev, Sym("δ", index(j), str(l)))
    result = v.get(Quantity.GRAD_WEIGHTS, l, j, k)
    numbers = None
    if result is not None and not _batch_note(v):
        numbers = _product(_n(v.activation(l - 1, k)), _n(v.get(Quantity.DELTA, l, j)), True)
    lhs = (_d("w", index(j, k), str(l)),)
    return Equation(
        Quantity.GRAD_WEIGHTS, "Weight gradient", lhs, definition, general, numbers, result, _backward(l),
        note=_batch_note(v),
    )  # fmt: skip


def _grad_bias(v: _Values, l: int, j: int) -> Equation:
    result = v.get(Quantity.GRAD_BIASES, l, j)
    numbers = None  # ∂C/∂b = δ: the number is the result itself
    definition = (_d("b", "j", "l"), Op("="), Sym("δ", "j", "l"))
    lhs = (_d("b", index(j), str(l)),)
    general = (Sym("δ", index(j), str(l)),)
    return Equation(
        Quantity.GRAD_BIASES, "Bias gradient", lhs, definition, general, numbers, result, _backward(l),
        note=_batch_note(v),
    )  # fmt: skip


def _update(v: _Values, l: int, j: int, k: int | None) -> list[Equation]:
    """The equations of the update of w_jk^l (``k`` given) or b_j^l: plain SGD's one, or the
    optimiser's (penalty, clipping, buffers, then the step), each with its numbers."""
    if v.stepper.rule.plain_sgd:
        return [_sgd_update(v, l, j, k)]
    return _optimizer_update(v, l, j, k)


def _sgd_update(v: _Values, l: int, j: int, k: int | None) -> Equation:
    """w_jk^l ← w_jk^l − η ∂C/∂w_jk^l (``k`` given) or b_j^l ← b_j^l − η ∂C/∂b_j^l."""
    weight = k is not None
    name, sub, letters = ("w", index(j, k), "jk") if k is not None else ("b", index(j), "j")
    definition = (Sym(name, letters, "l"), Op("←"), Sym(name, letters, "l"), Op("−"), Sym("η"), _d(name, letters, "l"))
    general = (Sym(name, sub, str(l)), Op("−"), Sym("η"), _d(name, sub, str(l)))
    quantity = Quantity.NEW_WEIGHTS if weight else Quantity.NEW_BIASES
    result = v.get(quantity, l, j, k)
    numbers = None
    if result is not None:
        old = float(v.weights(l)[j, k]) if weight else float(v.biases(l)[j])
        grad = v.get(Quantity.GRAD_WEIGHTS if weight else Quantity.GRAD_BIASES, l, j, k)
        numbers = (*_n(old), Op("−"), *_n(v.stepper.learning_rate), Op("×"), *_n(grad))
    title = "Weight update" if weight else "Bias update"
    lhs = (Sym(name, sub, str(l)),)
    return Equation(quantity, title, lhs, definition, general, numbers, result, UPDATE_STEP, relation="←")


class _UpdateTerms:
    """The numbers of one parameter's update (w_jk^l, or b_j^l when ``k`` is None), from the stepper's
    ``Update``: ``term("g")``, the optimiser's old buffers, and its symbols in letters or indices."""

    def __init__(self, v: _Values, l: int, j: int, k: int | None) -> None:
        stepper = v.stepper
        self.update, self.rule, self.state = stepper.update, stepper.rule, stepper.state_before
        self.known = stepper.at_end
        self.weight = k is not None
        self.name = "w" if self.weight else "b"
        self.l, self.sub, self.letters = l, index(j) if k is None else index(j, k), "jk" if self.weight else "j"
        self.at = self.update.layout.index(l, j, k) if self.update.layout is not None else 0
        self.value = float(v.weights(l)[j, k]) if self.weight else float(v.biases(l)[j])
        self.quantity = Quantity.NEW_WEIGHTS if self.weight else Quantity.NEW_BIASES

    def term(self, key: str) -> float:
        return float(self.update.terms[key][self.at]) if self.known else 0.0

    def old(self, key: str) -> float:
        """The buffer ``key`` as the pass started (0 for a fresh optimiser)."""
        state = self.state
        fresh = state.name != self.rule.optimizer.name or key not in state.buffers
        return 0.0 if fresh else float(state.buffers[key][self.at])

    def sym(self, base: str, general: bool = False) -> Sym:
        """``base`` of this parameter: base_jk^l in letters (``general``), else with its indices."""
        return Sym(base, self.letters, "l") if general else Sym(base, self.sub, str(self.l))

    def grad(self, general: bool = False, data_only: bool = False) -> Sym:
        return self.sym(f"∂C{'₀' if data_only else ''}/∂{self.name}", general)

    def equation(self, title: str, lhs: Sym, rel: str, forms: tuple[Tokens, Tokens, Tokens], result: float,
                 note: str = "", buffer: str = "") -> Equation:  # fmt: skip
        """``lhs rel definition`` in letters, ``general`` with indices, ``numbers``; known at Update.
        The equation of a weight's ``buffer`` ("m", "v") has that buffer's quantity."""
        definition, general, numbers = forms
        known = self.known
        quantity = Quantity(buffer) if buffer and self.weight else self.quantity
        return Equation(
            quantity, title, (lhs,), (Sym(lhs.base, self.letters, "l"), Op(rel), *definition), general,
            numbers if known else None, result if known else None, UPDATE_STEP, rel, note,
        )  # fmt: skip


def _one_minus(symbol: Sym) -> Tokens:
    return Op("("), Op("1"), Op("−"), symbol, Op(")")


def _moving_average(p: _UpdateTerms, title: str, buffer: str, decay: Sym, rate: float, squared: bool) -> Equation:
    """buffer ← decay · buffer + (1 − decay) · g (or g²), as momentum's moments and RMSprop's mean square."""
    g_gen: Tokens = (p.grad(True),)
    g_sym: Tokens = (p.grad(),)
    g_num = _n(p.term("g"))
    if squared:
        g_gen, g_sym = (Op("("), *g_gen, Op(")²")), (Op("("), *g_sym, Op(")²"))
        g_num = (Op("("), *_n(p.term("g"), bare=True), Op(")²"))
    lhs = p.sym(buffer)
    definition = (decay, p.sym(buffer, True), Op("+"), *_one_minus(decay), *g_gen)
    general = (decay, lhs, Op("+"), *_one_minus(decay), *g_sym)
    numbers = (*_n(rate), Op("×"), *_n(p.old(buffer)), Op("+"), *_n(1 - rate), Op("×"), *g_num)
    return p.equation(title, lhs, "←", (definition, general, numbers), p.term(buffer), buffer=buffer)


def _penalty_equations(p: _UpdateTerms) -> list[Equation]:
    """∂C/∂w = ∂C₀/∂w + λw (or λ sign(w)), then the clipped gradient, as the rule has them."""
    found: list[Equation] = []
    reg, name = p.rule.regularization, p.name
    if reg.active and (p.weight or reg.biases):
        l2 = reg.kind == "l2"
        penalty_gen = (p.sym(name, True),) if l2 else _call("sign", (p.sym(name, True),))
        penalty_sym = (p.sym(name),) if l2 else _call("sign", (p.sym(name),))
        penalty_num = _n(p.value) if l2 else _call("sign", _n(p.value, bare=True))
        forms = (
            (p.grad(True, True), Op("+"), Sym("λ"), *penalty_gen),
            (p.grad(data_only=True), Op("+"), Sym("λ"), *penalty_sym),
            (*_n(p.term("g0")), Op("+"), *_n(reg.strength), Op("×"), *penalty_num),
        )
        result = p.term("penalised" if "penalised" in p.update.terms else "g")
        note = f"{reg.kind.upper()} penalty on the {'weights and biases' if reg.biases else 'weights'}"
        found.append(p.equation("Regularised gradient", p.grad(), "=", forms, result, note))
    if p.rule.clip_norm is not None:
        factor = _call("min", (Op("1"),), (Sym("c"), Op("/"), Sym("‖g‖")))
        forms = (
            (p.grad(True), Op("×"), *factor),
            (p.grad(), Op("×"), *factor),
            (*_n(p.term("penalised")), Op("×"), *_n(p.update.clip_scale)),
        )
        note = f"‖g‖ = {format_number(p.update.norm, 6)} over all parameters, c = {p.rule.clip_norm:g}"
        found.append(p.equation("Clipped gradient", p.grad(), "←", forms, p.term("g"), note))
    return found


def _optimizer_update(v: _Values, l: int, j: int, k: int | None) -> list[Equation]:
    """Regularised gradient, clipped gradient, the optimiser's buffers and the step, for w_jk^l or b_j^l."""
    p = _UpdateTerms(v, l, j, k)
    found = _penalty_equations(p)
    opt, eta, rate = p.rule.optimizer, Sym("η"), p.update.learning_rate
    start = (p.sym(p.name, True), Op("−"), eta), (p.sym(p.name), Op("−"), eta), (*_n(p.value), Op("−"), *_n(rate))
    step: tuple[Tokens, ...]
    if opt.name == "sgd":
        step = (p.grad(True),), (p.grad(),), (Op("×"), *_n(p.term("g")))
    elif opt.name == "momentum":
        found.append(_velocity(p, opt.momentum))
        if opt.nesterov:
            step = (
                (Op("("), p.grad(True), Op("+"), Sym("μ"), p.sym("v", True), Op(")")),
                (Op("("), p.grad(), Op("+"), Sym("μ"), p.sym("v"), Op(")")),
                (Op("×"), Op("("), *_n(p.term("g")), Op("+"), *_n(opt.momentum), Op("×"), *_n(p.term("v")), Op(")")),
            )
        else:
            step = (p.sym("v", True),), (p.sym("v"),), (Op("×"), *_n(p.term("v")))
    else:
        if opt.name == "adam":
            found.append(_moving_average(p, "First moment", "m", Sym("β", "1"), opt.beta1, squared=False))
            found.append(_moving_average(p, "Second moment", "v", Sym("β", "2"), opt.beta2, squared=True))
            t = p.update.state.t
            for key, beta, value in (("m", "1", opt.beta1), ("v", "2", opt.beta2)):  # β₁, β₂
                forms = (
                    (p.sym(key, True), Op("/"), Op("("), Op("1"), Op("−"), Sym("β", beta, "t"), Op(")")),
                    (p.sym(key), Op("/"), Op("("), Op("1"), Op("−"), Sym("β", beta, str(t)), Op(")")),
                    (*_n(p.term(key)), Op("/"), *_n(1 - value**t)),
                )
                title = f"Corrected {'first' if key == 'm' else 'second'} moment"
                found.append(p.equation(title, p.sym(key + "̂"), "=", forms, p.term(key + "_hat"), f"t = {t}"))
            top, bottom = ("m̂", "v̂"), (p.term("m_hat"), p.term("v_hat"))
        else:
            found.append(_moving_average(p, "Mean square", "v", Sym("α"), opt.alpha, squared=True))
            top, bottom = ("", "v"), (p.term("g"), p.term("v"))

        def quotient(general: bool) -> Tokens:
            numerator = p.sym(top[0], general) if top[0] else p.grad(general)
            return numerator, Op("/"), Op("("), Fn("√"), p.sym(top[1], general), Op("+"), Sym("ε"), Op(")")

        root = _call("√", _n(bottom[1], bare=True))
        numbers = (Op("×"), *_n(bottom[0]), Op("/"), Op("("), *root, Op("+"), *_n(opt.epsilon), Op(")"))
        step = quotient(True), quotient(False), numbers
    definition, general, numbers = ((*a, *b) for a, b in zip(start, step, strict=True))
    result = float(p.update.weights[l][j, k] if p.weight else p.update.biases[l][j])
    title = ("Weight update" if p.weight else "Bias update") + f" ({opt.rule.title})"
    note = (
        ""
        if p.rule.schedule.kind == "constant"
        else f"η = {format_number(rate, 6)} by the {p.rule.schedule.kind} schedule"
    )
    found.append(p.equation(title, p.sym(p.name), "←", (definition, general, numbers), result, note))
    return found


def _velocity(p: _UpdateTerms, mu: float) -> Equation:
    """v ← μ v + g (PyTorch's momentum: no factor on g)."""
    lhs = p.sym("v")
    forms = (
        (Sym("μ"), p.sym("v", True), Op("+"), p.grad(True)),
        (Sym("μ"), lhs, Op("+"), p.grad()),
        (*_n(mu), Op("×"), *_n(p.old("v")), Op("+"), *_n(p.term("g"))),
    )
    return p.equation("Velocity", lhs, "←", forms, p.term("v"), buffer="v")


def _input(v: _Values, k: int) -> Equation:
    lhs = (Sym("x", index(k)),)
    definition = (Sym("a", "k", "0"), Op("="), Sym("x", "k"))
    return Equation(Quantity.INPUT, "Input", lhs, definition, (), None, v.activation(0, k), None)


def equations(
    stepper: Stepper, layer: int, j: int, k: int | None = None, only: Collection[Quantity] | None = None
) -> list[Equation]:
    """The equations of neuron ``j`` of ``layer`` (0 = inputs), or of the edge w_jk^layer, in pass order;
    with ``only``, just those that work out these quantities (the others are not worked out at all), a
    weight's update with its optimiser's steps.

    ``j`` and ``k`` are 0-based; raises IndexError for a neuron or edge that does not exist.
    """
    network = stepper.network
    if not 0 <= layer <= network.depth or not 0 <= j < network.sizes[layer]:
        raise IndexError(f"neuron {j + 1} of layer {layer} does not exist")
    if k is not None and (layer == 0 or not 0 <= k < network.sizes[layer - 1]):
        raise IndexError(f"edge w_{index(j, k)}^{layer} does not exist")
    v = _Values(stepper)
    Q = Quantity

    def wanted(*quantities: Quantity) -> bool:
        return only is None or any(q in only for q in quantities)

    found: list[Equation] = []
    if layer == 0:
        found += [_input(v, j)] if wanted(Q.INPUT) else []
    elif k is not None:
        found += [_grad_weight(v, layer, j, k)] if wanted(Q.GRAD_WEIGHTS) else []
        found += _update(v, layer, j, k) if wanted(Q.NEW_WEIGHTS) else []
    else:
        found += [_weighted_input(v, layer, j)] if wanted(Q.WEIGHTED_INPUT) else []
        found += [_activation(v, layer, j)] if wanted(Q.ACTIVATION) else []
        if layer == network.depth:
            found += [_loss(v), *_regularised_loss(v)] if wanted(Q.LOSS) else []
            found += [_output_gradient(v, j)] if wanted(Q.OUTPUT_GRADIENT) else []
            found += [_output_delta(v, j)] if wanted(Q.DELTA) else []
        else:
            found += [_hidden_delta(v, layer, j)] if wanted(Q.DELTA) else []
        if network.layer(layer).has_bias:
            found += [_grad_bias(v, layer, j)] if wanted(Q.GRAD_BIASES) else []
            found += _update(v, layer, j, None) if wanted(Q.NEW_BIASES) else []
    return [_tidy(eq) for eq in found]


def _tidy(eq: Equation) -> Equation:
    """Drop the brackets around a negative number that opens the substituted form: −5 × 0.03, not (−5) × 0.03."""
    n = eq.numbers
    if n and len(n) > 3 and n[0] == Op("(") and isinstance(n[1], Num) and n[2] == Op(")"):
        return replace(eq, numbers=n[1:2] + n[3:])
    return eq


def focus(stepper: Stepper) -> tuple[int, int] | None:
    """(layer, j) of the neuron computed last: the one to explain when nothing is selected."""
    step = stepper.current
    if step is None:
        return None
    if step.phase in (Phase.FORWARD, Phase.BACKWARD):
        j = stepper.revealed - 1 if stepper.revealed else stepper.neuron_count(step) - 1
        return step.layer, j
    return stepper.network.depth, stepper.network.sizes[-1] - 1


# --- plain text ---------------------------------------------------------------------------

BINARY = frozenset({"+", "−", "×", "·", "/", "=", "←"})
CLOSING = frozenset({")", ")²", ",", "]"})
OPENING = frozenset({"(", "["})


def spaced(tokens: Iterable[Token]) -> list[tuple[str, Token]]:
    """Each token with the space to put before it, so every renderer lays formulas out alike."""
    out: list[tuple[str, Token]] = []
    prev: Token | None = None
    unary = False
    for tok in tokens:
        text = tok.text if isinstance(tok, Op) else None
        if prev is None or unary or text in CLOSING or isinstance(prev, Fn):
            sep = ""
        elif isinstance(prev, Op) and prev.text in OPENING:
            sep = ""
        else:
            sep = " "
        out.append((sep, tok))
        opener = prev is None or (isinstance(prev, Op) and (prev.text in OPENING or prev.text in BINARY))
        unary = text == "−" and opener
        prev = tok
    return out


def _script(text: str) -> str:
    return f"{{{text}}}" if any(c in text for c in "−+,") else text


def token_text(tok: Token, digits: int) -> str:
    """One token as plain text: w_12^2, 0.25, ×, σ."""
    if isinstance(tok, Num):
        return format_number(tok.value, digits)
    if isinstance(tok, Sym):
        return tok.base + (f"_{_script(tok.sub)}" if tok.sub else "") + (f"^{_script(tok.sup)}" if tok.sup else "")
    return tok.text if isinstance(tok, Op) else tok.name


def to_text(tokens: Iterable[Token], digits: int = 4) -> str:
    """Tokens as one line of plain text in the course notation."""
    return "".join(sep + token_text(tok, digits) for sep, tok in spaced(tokens))


def equation_text(eq: Equation, digits: int = 4) -> str:
    """``lhs = general = numbers = result`` as plain text, or the general form and the phase that computes it."""
    parts = [to_text(eq.lhs, digits)]
    if eq.general:
        parts.append(to_text(eq.general, digits))
    if eq.numbers is not None:
        parts.append(to_text(eq.numbers, digits))
    text = f" {eq.relation} ".join(parts[:2]) + "".join(f" = {p}" for p in parts[2:])
    if eq.result is None:
        return f"{text}   ({eq.pending})" if eq.pending else text
    sep = " = " if len(parts) > 1 else f" {eq.relation} "
    return text + sep + format_number(eq.result, digits)
