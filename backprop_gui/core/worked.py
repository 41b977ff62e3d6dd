"""The worked solution of one pass in Markdown and LaTeX: every equation with its numbers put in.

It walks the equations of ``core.formulas`` (the formula panel's own) on ``export.full_pass``,
so it explains each number the way the window does; nothing of backprop is computed here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from backprop_gui.core.export import full_pass
from backprop_gui.core.formatting import counted, format_number
from backprop_gui.core.formulas import (
    Equation,
    Fn,
    Num,
    Op,
    Sym,
    Token,
    Tokens,
    equation_text,
    equations,
    focus,
    index,
    spaced,
    to_text,
)
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Phase, PhaseStep, Quantity, Stepper

LATEX_LINE = 70  # a LaTeX equation longer than this (in plain characters) gets one line per "="

# --- what it says ------------------------------------------------------------------------

WIDE = 4  # a layer with more neurons (or a neuron with more inputs) lists one and summarises the rest


@dataclass(frozen=True)
class WorkedLine:
    """One line of the worked solution: an ``equation`` with its numbers, or (``equation`` None) a
    ``summary`` of the lines left out. ``layer``, ``j``, ``k`` (0-based j, k) name the neuron (k None)
    or edge w_jk^layer it is about; all None for the loss C."""

    equation: Equation | None
    summary: str = ""
    layer: int | None = None
    j: int | None = None
    k: int | None = None

    def text(self, digits: int = 4) -> str:
        """The line as plain text: "Weighted input: z_1^1 = … = 0.03", or the summary."""
        if self.equation is None:
            return self.summary
        return f"{self.equation.title}: {equation_text(self.equation, digits)}"


@dataclass(frozen=True)
class WorkedSection:
    """One phase of the worked solution: its general equations, then its lines in the order computed."""

    title: str
    step: PhaseStep
    definitions: tuple[Tokens, ...]
    lines: tuple[WorkedLine, ...]
    notes: tuple[str, ...] = ()  # prose, with any maths between "$" signs in TeX
    activation: str = ""  # the layer's f (Forward) or, with ``derivative``, its f′ (Backward)
    derivative: bool = False


@dataclass(frozen=True)
class Given:
    """What the pass starts from, as shown: (name, value) of inputs, targets and η, and per layer l
    the rows j (0-based) and columns k of w^l listed, with how many of each are left out."""

    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    rows: dict[int, tuple[int, ...]]
    columns: dict[int, tuple[int, ...]]


@dataclass
class WorkedSolution:
    """A worked solution: the stepper it reads, the network's ``title``, the ``sample`` (0-based),
    what is ``given`` and the ``sections`` of the phases computed."""

    stepper: Stepper
    title: str
    sample: int
    given: Given
    sections: list[WorkedSection] = field(default_factory=list)


Selection = tuple[int, int, int | None]  # (layer, j, k or None), 0-based j and k


def _solution(
    source: Stepper | Session,
    sample: int | None,
    title: str | None,
    so_far: bool = False,
    selection: Selection | None = None,
    widest: int | None = None,
) -> WorkedSolution:
    if so_far:
        if not isinstance(source, Stepper):
            raise TypeError("the pass so far needs a stepper, not a session")
        stepper = source
    else:
        stepper = full_pass(source, sample)
    if title is None:
        title = source.name if isinstance(source, Session) else "network"
    choice = _Choice(stepper, selection, widest)
    return WorkedSolution(stepper, title, int(stepper.sample_indices[0]), choice.given(), worked_sections(choice))


def solution_so_far(
    stepper: Stepper, title: str = "network", selection: Selection | None = None, widest: int | None = WIDE
) -> WorkedSolution:
    """The worked solution of ``stepper``'s pass as far as it has gone (the dock's, and the exports'
    with ``so_far``): a layer wider than ``widest`` lists the ``selection``'s neuron or the last computed.

    The last few are kept, so the formula panel and the worked solution build each position's once."""
    key = stepper.version_key
    for kept_key, kept_selection, kept_widest, kept in _recent:
        if kept_key is key and kept_selection == selection and kept_widest == widest:
            return replace(kept, title=title, sections=list(kept.sections))
    solution = _solution(stepper, None, title, True, selection, widest)
    _recent.append((key, selection, widest, solution))
    del _recent[:-RECENT]
    return replace(solution, sections=list(solution.sections))


RECENT = 4  # worked solutions kept by ``solution_so_far``
_recent: list[tuple[object, Selection | None, int | None, WorkedSolution]] = []


class _Choice:
    """Which neurons and edges a worked solution lists: all of them, or in a layer wider than
    ``widest`` the selected (or last computed) neuron, and of a neuron with more than ``widest``
    inputs the selected (or first) edge."""

    def __init__(self, stepper: Stepper, selection: Selection | None, widest: int | None) -> None:
        self.stepper = stepper
        self.sizes = stepper.network.sizes
        self.selection = selection
        self.widest = widest
        self.last = focus(stepper)

    def neurons(self, l: int) -> tuple[int, ...]:
        n = self.sizes[l]
        if self.widest is None or n <= self.widest:
            return tuple(range(n))
        if self.selection is not None and self.selection[0] == l:
            return (self.selection[1],)
        if self.selection is not None and self.selection[2] is not None and self.selection[0] == l + 1:
            return (self.selection[2],)  # the edge's source neuron
        return (self.last[1],) if self.last is not None and self.last[0] == l else (0,)

    def inputs(self, l: int, j: int) -> tuple[int, ...]:
        n = self.sizes[l - 1]
        if self.widest is None or n <= self.widest:
            return tuple(range(n))
        s = self.selection
        if s is not None and s[2] is not None and s[0] == l and s[1] == j:
            return (s[2],)
        return (0,)

    def neuron_summary(self, l: int) -> list[WorkedLine]:
        more = self.sizes[l] - len(self.neurons(l))
        return [WorkedLine(None, f"… {more} more neurons of layer {l}", l)] if more else []

    def edge_summary(self, l: int, j: int) -> list[WorkedLine]:
        more = self.sizes[l - 1] - len(self.inputs(l, j))
        return [WorkedLine(None, f"… {more} more weights into neuron {j + 1} of layer {l}", l, j)] if more else []

    def given(self) -> Given:
        L = len(self.sizes) - 1
        rows = {l: self.neurons(l) for l in range(1, L + 1)}
        columns = {l: self.inputs(l, rows[l][0]) for l in range(1, L + 1)}
        return Given(self.neurons_or_all(0), self.neurons(L), rows, columns)

    def neurons_or_all(self, l: int) -> tuple[int, ...]:
        n = self.sizes[l]
        return tuple(range(n)) if self.widest is None or n <= self.widest else tuple(range(self.widest))


def worked_sections(choice: _Choice) -> list[WorkedSection]:
    """The sections of the pass so far, in the order computed: an equation is listed once its
    result is known, a phase once it has a line.

    A phase's section is worked out once per pass and choice of neurons once the phase is complete
    (its numbers stay as they are for the rest of the pass), so a step works out only its own phase."""
    s = choice.stepper
    source = (s.record, s.learning_rate, s.rule)
    if len(_kept.source) != len(source) or any(a is not b for a, b in zip(_kept.source, source, strict=True)):
        _kept.source, _kept.sections = source, {}  # another pass: what was kept is of no use
    builder = _SectionBuilder(choice)
    sections: list[WorkedSection] = []
    for step in s.phases:
        done = s.done(step)
        if not done:  # the phases after one that has no known value have none either
            break
        if done < s.neuron_count(step):  # in progress (step into): it changes with the next move
            section = builder.section(step)
        elif (key := (step, choice.selection, choice.widest, _neurons_listed(choice, step))) in _kept.sections:
            section = _kept.sections[key]
        else:
            section = _kept.sections[key] = builder.section(step)
        if section is not None:
            sections.append(section)
    return sections


def _neurons_listed(choice: _Choice, step: PhaseStep) -> tuple[tuple[int, ...], ...]:
    """The neurons ``step``'s section lists, per layer it covers (in a wide layer, the chosen one)."""
    L = choice.stepper.network.depth
    if step.phase is Phase.UPDATE:
        return tuple(choice.neurons(l) for l in range(1, L + 1))
    return (choice.neurons(L if step.phase is Phase.LOSS else step.layer),)


@dataclass
class _KeptSections:
    """The complete phases' sections of one pass (``source``: its record, η and update rule, each
    compared by identity), by phase and choice of neurons."""

    source: tuple[object, ...] = ()
    sections: dict[tuple[object, ...], WorkedSection | None] = field(default_factory=dict)


_kept = _KeptSections()


class _SectionBuilder:
    """Works out the section of one phase from the equations of ``core.formulas``, each neuron's and
    edge's equations computed once."""

    def __init__(self, choice: _Choice) -> None:
        self.choice = choice
        self.s = choice.stepper
        self._neuron_eqs: dict[tuple[int, int, tuple[Quantity, ...]], list[Equation]] = {}
        self._edge_eqs: dict[tuple[int, int, int, Quantity], list[Equation]] = {}

    def section(self, step: PhaseStep) -> WorkedSection | None:
        """``step``'s section, or None when it has no equation line yet."""
        if step.phase is Phase.FORWARD:
            section = self._forward(step.layer)
        elif step.phase is Phase.LOSS:
            section = self._loss()
        elif step.phase is Phase.BACKWARD:
            section = self._backward(step.layer)
        else:
            section = self._update()
        return section if any(ln.equation is not None for ln in section.lines) else None

    def _neuron(self, l: int, j: int, *quantities: Quantity) -> dict[Quantity, Equation]:
        """The neuron's equations of ``quantities`` by quantity (of several with one quantity, the first)."""
        found: dict[Quantity, Equation] = {}
        for eq in self._all_of_neuron(l, j, quantities):
            found.setdefault(eq.quantity, eq)
        return found

    def _all_of_neuron(self, l: int, j: int, quantities: tuple[Quantity, ...]) -> list[Equation]:
        """Every equation of ``quantities`` of the neuron: C₀ and C with its penalty; an optimiser's steps."""
        if (l, j, quantities) not in self._neuron_eqs:
            self._neuron_eqs[(l, j, quantities)] = equations(self.s, l, j, only=quantities)
        return self._neuron_eqs[(l, j, quantities)]

    def _all_of(self, l: int, j: int, quantities: tuple[Quantity, ...], q: Quantity) -> list[Equation]:
        """Every equation of ``q`` among the neuron's of ``quantities``."""
        return [eq for eq in self._all_of_neuron(l, j, quantities) if eq.quantity is q]

    def _edge(self, l: int, j: int, k: int, quantity: Quantity) -> list[Equation]:
        """The edge's equations of ``quantity``: its gradient, or its update with the optimiser's steps."""
        if (l, j, k, quantity) not in self._edge_eqs:
            self._edge_eqs[(l, j, k, quantity)] = equations(self.s, l, j, k, only=(quantity,))
        return self._edge_eqs[(l, j, k, quantity)]

    @staticmethod
    def _line(eq: Equation, l: int | None, j: int | None, k: int | None = None) -> list[WorkedLine]:
        return [WorkedLine(eq, "", l, j, k)] if eq.known else []

    def _forward(self, l: int) -> WorkedSection:
        Q, line = Quantity, self._line
        qs = (Q.WEIGHTED_INPUT, Q.ACTIVATION)
        js = self.choice.neurons(l)
        lines = [ln for j in js for q in qs for ln in line(self._neuron(l, j, *qs)[q], l, j)]
        activation = self.s.network.layer(l).activation
        title = f"Forward {l} (layer {l}, {activation.replace('_', ' ')})"
        first = self._neuron(l, js[0], *qs)
        defs: tuple[Tokens, ...] = (first[Q.WEIGHTED_INPUT].definition, first[Q.ACTIVATION].definition)
        step = PhaseStep(Phase.FORWARD, l)
        return WorkedSection(title, step, defs, (*lines, *self.choice.neuron_summary(l)), activation=activation)

    def _loss(self) -> WorkedSection:
        Q, line = Quantity, self._line
        qs = (Q.LOSS, Q.OUTPUT_GRADIENT)
        network = self.s.network
        L = network.depth
        js = self.choice.neurons(L)
        out = self._neuron(L, js[0], *qs)
        losses = [ln for eq in self._all_of(L, js[0], qs, Q.LOSS) for ln in line(eq, None, None)]
        lines = losses + [ln for j in js for ln in line(self._neuron(L, j, *qs)[Q.OUTPUT_GRADIENT], L, j)]
        title = f"Loss ({network.loss.replace('_', ' ')})"
        defs = (out[Q.LOSS].definition, out[Q.OUTPUT_GRADIENT].definition)
        return WorkedSection(title, PhaseStep(Phase.LOSS), defs, (*lines, *self.choice.neuron_summary(L)))

    def _backward(self, l: int) -> WorkedSection:
        Q, line, choice = Quantity, self._line, self.choice
        qs = (Q.DELTA, Q.GRAD_BIASES)

        def neuron(l: int, j: int) -> dict[Quantity, Equation]:
            return self._neuron(l, j, *qs)

        js = choice.neurons(l)
        layer = self.s.network.layer(l)
        bias = layer.has_bias
        per_neuron = [neuron(l, j)[q] for j in js for q in qs if q in neuron(l, j)]
        grads = [(j, k, self._edge(l, j, k, Q.GRAD_WEIGHTS)[0]) for j in js for k in choice.inputs(l, j)]
        defs: tuple[Tokens, ...] = (neuron(l, js[0])[Q.DELTA].definition, grads[0][2].definition)
        if bias:
            defs += (neuron(l, js[0])[Q.GRAD_BIASES].definition,)
        activation = layer.activation
        plain_f = f"f′ of {activation}"  # the note of a δ that multiplies by f′(z): shown as f′'s formula instead
        known = [eq for eq in [*per_neuron, *(g for _, _, g in grads)] if eq.known]
        notes = _unique(eq.note for eq in known if eq.note and eq.note != plain_f)
        if not bias:
            notes += (f"Layer {l} has no bias: $b^{{{l}}} = 0$ is not learned, so it has no ∂C/∂b.",)
        uses_f = any(eq.note == plain_f for eq in per_neuron)
        lines = [ln for j in js for q in qs if q in neuron(l, j) for ln in line(neuron(l, j)[q], l, j)]
        lines += choice.neuron_summary(l) if lines else []
        for j in js:
            edge_lines = [ln for jj, k, g in grads if jj == j for ln in line(g, l, j, k)]
            lines += edge_lines + (choice.edge_summary(l, j) if edge_lines else [])
        step = PhaseStep(Phase.BACKWARD, l)
        return WorkedSection(f"Backward {l}", step, defs, tuple(lines), notes, activation if uses_f else "", uses_f)

    def _update(self) -> WorkedSection:
        choice, line = self.choice, self._line
        updates: list[WorkedLine] = []
        defs: tuple[Tokens, ...] = ()
        bias_defined = False
        for l in range(1, self.s.network.depth + 1):
            js = choice.neurons(l)
            layer_lines: list[WorkedLine] = []
            for j in js:
                edges = [(k, eq) for k in choice.inputs(l, j) for eq in self._edge(l, j, k, Quantity.NEW_WEIGHTS)]
                defs = defs or tuple(eq.definition for k, eq in edges if k == edges[0][0])
                edge_lines = [ln for k, eq in edges for ln in line(eq, l, j, k)]
                layer_lines += edge_lines + (choice.edge_summary(l, j) if edge_lines else [])
            new = Quantity.NEW_BIASES
            biases = [(j, eq) for j in js for eq in self._all_of(l, j, (new,), new)]
            if biases and not bias_defined:
                defs += tuple(eq.definition for jj, eq in biases if jj == biases[0][0])
                bias_defined = True
            layer_lines += [ln for j, eq in biases for ln in line(eq, l, j)]
            updates += layer_lines + (choice.neuron_summary(l) if layer_lines else [])
        return WorkedSection("Update", PhaseStep(Phase.UPDATE), defs, tuple(updates))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _network_summary(stepper: Stepper) -> tuple[str, list[tuple[int, str, bool]]]:
    """("2–2–1", [(l, activation, has_bias), …])."""
    network = stepper.network
    layers = [(l, network.layer(l).activation, network.layer(l).has_bias) for l in range(1, network.depth + 1)]
    return "–".join(map(str, network.sizes)), layers


# --- LaTeX of tokens (also the maths of the Markdown) -------------------------------------------

_TEX_SYMBOLS = {
    "δ": r"\delta",
    "Σ": r"\sum",
    "η": r"\eta",
    # the optimisers' and the penalty's
    "μ": r"\mu",
    "α": r"\alpha",
    "β": r"\beta",
    "ε": r"\varepsilon",
    "λ": r"\lambda",
    "m̂": r"\hat{m}",
    "v̂": r"\hat{v}",
    "C₀": r"C_0",
    "‖g‖": r"\lVert g \rVert",
    "‖w‖": r"\lVert w \rVert",
    "‖w, b‖": r"\lVert w, b \rVert",
}
_TEX_OPS = {
    "−": "-",
    "×": r"\times",
    "·": r"\cdot",
    "…": r"\dots",
    "½": r"\tfrac{1}{2}",
    "←": r"\leftarrow",
    ")²": ")^{2}",
}
_TEX_FUNCTIONS = {
    "σ": r"\sigma",
    "tanh": r"\tanh",
    "max": r"\max",
    "log": r"\log",
    "exp": r"\exp",
    "f′": "f'",
    "min": r"\min",
    "√": r"\surd",
}
_TEX_ACTIVATIONS = {
    "sigmoid": r"f(z) = \sigma(z) = \frac{1}{1 + e^{-z}}",
    "tanh": r"f(z) = \tanh(z)",
    "relu": r"f(z) = \max(0, z)",
    "leaky_relu": r"f(z) = \max(0.01\,z, z)",
    "linear": r"f(z) = z",
    "softplus": r"f(z) = \log(1 + e^{z})",
    "softmax": r"f(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}",
}
_TEX_DERIVATIVES = {
    "sigmoid": r"f'(z) = \sigma(z)\,(1 - \sigma(z)) = a\,(1 - a)",
    "tanh": r"f'(z) = 1 - \tanh^{2}(z) = 1 - a^{2}",
    "relu": r"f'(z) = 1 \text{ if } z > 0 \text{, else } 0",
    "leaky_relu": r"f'(z) = 1 \text{ if } z > 0 \text{, else } 0.01",
    "linear": r"f'(z) = 1",
    "softplus": r"f'(z) = \sigma(z)",
}
_CONTROL_WORD_END = re.compile(r"\\[A-Za-z]+$")


def tex_number(value: float, digits: int = 4) -> str:
    """``value`` at ``digits`` significant digits as LaTeX maths: -0.1387, 1.2 \\times 10^{-7}, \\infty."""
    text = format_number(value, digits).replace("−", "-")
    if text == "NaN":
        return r"\mathrm{NaN}"
    if "∞" in text:
        return text.replace("∞", r"\infty")
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{exponent}}}"
    return text


def _tex_script(text: str) -> str:
    return text.replace("−", "-")


def _tex_symbol(sym: Sym) -> str:
    for prefix, cost in (("∂C/∂", "C"), ("∂C₀/∂", "C_0")):
        if sym.base.startswith(prefix):
            inner = _tex_symbol(Sym(sym.base.removeprefix(prefix), sym.sub, sym.sup))
            return rf"\frac{{\partial {cost}}}{{\partial {inner}}}"
    text = _TEX_SYMBOLS.get(sym.base, sym.base)
    if sym.sub:
        text += f"_{{{_tex_script(sym.sub)}}}"
    if sym.sup:
        text += f"^{{{_tex_script(sym.sup)}}}"
    return text


def _tex_token(tok: Token, digits: int) -> str:
    if isinstance(tok, Num):
        return tex_number(tok.value, digits)
    if isinstance(tok, Sym):
        return _tex_symbol(tok)
    if isinstance(tok, Fn):
        return _TEX_FUNCTIONS.get(tok.name, rf"\operatorname{{{tok.name}}}")
    return _TEX_OPS.get(tok.text, tok.text)


def tex(tokens: Iterable[Token], digits: int = 4) -> str:
    """Tokens as LaTeX maths (without the surrounding ``$``): z_{1}^{2} = w_{11}^{2} a_{1}^{1} + b_{1}^{2}."""
    out = ""
    for sep, tok in spaced(tokens):
        text = _tex_token(tok, digits)
        if not sep and text[:1].isalpha() and _CONTROL_WORD_END.search(out):
            sep = " "  # \sigma x, never \sigmax
        out += sep + text
    return out


def _tex_relation(relation: str) -> str:
    return r"\leftarrow" if relation == "←" else relation


def tex_equation_parts(eq: Equation, digits: int = 4) -> tuple[str, str, list[str]]:
    """(lhs, relation, right-hand sides) of ``eq`` as LaTeX: the general form, the numbers, the result."""
    parts = [tex(part, digits) for part in (eq.general, eq.numbers) if part]
    if eq.result is not None:
        parts.append(tex_number(eq.result, digits))
    return tex(eq.lhs, digits), _tex_relation(eq.relation), parts


def tex_equation(eq: Equation, digits: int = 4) -> str:
    """``eq`` on one line of LaTeX maths: lhs = general = numbers = result (← for an update)."""
    lhs, relation, parts = tex_equation_parts(eq, digits)
    return f"{lhs} {relation} " + " = ".join(parts)


def _tex_definition(tokens: Tokens) -> str:
    return tex(tokens).replace("←", r"\leftarrow")


def _tex_matrix(values: np.ndarray, digits: int) -> str:
    rows = values.reshape(len(values), -1)
    body = r" \\ ".join(" & ".join(tex_number(float(v), digits) for v in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def _tex_function_lines(section: WorkedSection) -> list[str]:
    if not section.activation:
        return []
    table = _TEX_DERIVATIVES if section.derivative else _TEX_ACTIVATIONS
    return [table[section.activation]] if section.activation in table else []


_TEX_NOTATION = (
    r"Notation: $a^{0} = x$, $z^{l} = w^{l} a^{l-1} + b^{l}$, $a^{l} = f(z^{l})$; $w_{jk}^{l}$ connects "
    r"neuron $k$ of layer $l-1$ to neuron $j$ of layer $l$; $\delta_{j}^{l} = \partial C / \partial z_{j}^{l}$; "
    r"an update is $w \leftarrow w - \eta \, \partial C / \partial w$."
)


# --- Markdown -----------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$])")


def _md_text(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def worked_solution_markdown(
    source: Stepper | Session,
    sample: int | None = None,
    digits: int = 4,
    title: str | None = None,
    *,
    so_far: bool = False,
    selection: Selection | None = None,
    widest: int | None = None,
) -> str:
    """The pass of one sample as a worked solution in Markdown: a heading per phase, each general
    equation, then every z, a, C, ∂C/∂a, δ, gradient and update with its numbers in ``$…$``.

    ``source`` and ``sample`` as for ``full_pass``, or with ``so_far`` the pass of the stepper
    ``source`` as far as it has gone; ``title`` names the network (default: the session's name);
    numbers at ``digits`` significant digits. With ``widest`` a layer of more neurons lists only
    the ``selection``'s (layer, j, k) neuron or edge, or the last computed, and sums up the rest.
    """
    solution = _solution(source, sample, title, so_far, selection, widest)
    s = solution.stepper
    sizes, layers = _network_summary(s)
    count = len(s.inputs)
    given = solution.given
    lines = [
        f"# Worked solution: {_md_text(solution.title)}",
        "",
        f"One pass of backpropagation for sample {solution.sample + 1} of {count} through the {sizes} network "
        f"({'; '.join(_md_text(_layer_text(l, f, b)) for l, f, b in layers)}; "
        f"loss: {_md_text(s.network.loss.replace('_', ' '))}).",
        "",
        _TEX_NOTATION + " " + _md_text(_rounding(digits)),
        "",
        "## Given",
        "",
        "- Input: " + _md_values("x", s.value(Quantity.INPUT).values[:, 0], given.inputs, digits),
        "- Target: " + _md_values("t", s.value(Quantity.TARGET).values[:, 0], given.outputs, digits),
        rf"- Learning rate: $\eta = {tex_number(s.learning_rate, digits)}$",
        "",
    ]
    for l, _, bias in layers:
        lines += _md_parameters(s, l, bias, given, digits)
    for section in solution.sections:
        lines += [f"## {_md_text(section.title)}", ""]
        general = [f"${_tex_definition(d)}$" for d in section.definitions]
        general += [f"${line}$" for line in _tex_function_lines(section)]
        lines += ["General form: " + ", ".join(general) + ".", ""]
        lines += [f"*{_note(note, _md_text)}*\n" for note in section.notes]
        lines += [_md_line(line, digits) for line in section.lines] + [""]
    return "\n".join(lines).rstrip() + "\n"


def _note(note: str, prose: Callable[[str], str]) -> str:
    """A section's note for Markdown or LaTeX: its prose through ``prose``, its maths kept as ``$…$``."""

    def text(part: str) -> str:  # ``prose`` trims the spaces that part the text from the maths: kept
        return (" " if part[:1].isspace() else "") + prose(part) + (" " if part[-1:].isspace() else "")

    return "".join(f"${part}$" if i % 2 else text(part) for i, part in enumerate(note.split("$")))


def _md_line(line: WorkedLine, digits: int) -> str:
    if line.equation is None:
        return f"- {_md_text(line.summary)}"
    return f"- {line.equation.title}: ${tex_equation(line.equation, digits)}$"


def _more(count: int, shown: int, what: str) -> str:
    """The note "… 3 more values" for the ``count − shown`` of ``what`` (singular) not shown; "" if none."""
    return f"… {counted(count - shown, f'more {what}')}" if count > shown else ""


def _md_values(symbol: str, values: np.ndarray, shown: Sequence[int], digits: int) -> str:
    parts = [f"${_tex_symbol(Sym(symbol, index(j)))} = {tex_number(float(values[j]), digits)}$" for j in shown]
    more = _more(len(values), len(shown), "value")
    return ", ".join(parts + ([_md_text(more)] if more else []))


def _md_parameters(s: Stepper, l: int, bias: bool, given: Given, digits: int) -> list[str]:
    weights, biases = s.weights_before(l)
    rows, columns = given.rows[l], given.columns[l]
    header = ["$j$"] + [f"${_tex_symbol(Sym('w', 'j' + str(k + 1), str(l)))}$" for k in columns]
    if bias:
        header.append(f"${_tex_symbol(Sym('b', 'j', str(l)))}$")
    table = [
        [str(j + 1)] + [format_number(float(weights[j, k]), digits) for k in columns]
        + ([format_number(float(biases[j]), digits)] if bias else [])
        for j in rows
    ]  # fmt: skip
    caption = f"Layer {l}: weights $w_{{jk}}^{{{l}}}$ in row $j$, column $k$"
    caption += f", and biases $b_{{j}}^{{{l}}}$" if bias else " (no bias)"
    more = [
        m for m in (_more(weights.shape[0], len(rows), "row"), _more(weights.shape[1], len(columns), "column")) if m
    ]
    return [
        caption + ":",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---:|" * len(header),
        *("| " + " | ".join(row) + " |" for row in table),
        "",
        *([_md_text(", ".join(more)) + " of the table left out.", ""] if more else []),
    ]


def _layer_text(l: int, activation: str, bias: bool) -> str:
    return f"layer {l}: {activation.replace('_', ' ')}" + ("" if bias else ", no bias")


def _rounding(digits: int) -> str:
    return (
        f"Numbers are shown to {digits} significant digits; each result is the exact value rounded, "
        "so redoing a step with the rounded numbers may differ in the last digit."
    )


# --- LaTeX --------------------------------------------------------------------------------

_TEX_TEXT = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "−": r"\ensuremath{-}",
    "–": "--",
    "—": "---",
    "…": r"\dots{}",
    "×": r"\ensuremath{\times}",
    "·": r"\ensuremath{\cdot}",
    "′": r"\ensuremath{'}",
    "²": r"\ensuremath{^2}",
    "∂": r"\ensuremath{\partial}",
    "Σ": r"\ensuremath{\Sigma}",
    "←": r"\ensuremath{\leftarrow}",
    "∞": r"\ensuremath{\infty}",
    "“": "``",
    "”": "''",
    "‘": "`",
    "’": "'",
}


def tex_text(text: str) -> str:
    """Plain text for LaTeX's text mode: specials escaped, Greek and maths signs as maths, other
    letters kept (pdflatex reads UTF-8), anything it cannot typeset replaced by "?"."""
    out = []
    for ch in " ".join(text.split()):
        if ch in _TEX_TEXT:
            out.append(_TEX_TEXT[ch])
        elif ch.isascii():
            out.append(ch)
        else:
            name = unicodedata.name(ch, "")
            if name.startswith("GREEK SMALL LETTER ") and name.count(" ") == 3:
                out.append(rf"\ensuremath{{\{name.rsplit(' ', 1)[1].lower()}}}")
            elif name.startswith("LATIN ") and unicodedata.category(ch).startswith("L"):
                out.append(ch)
            else:
                out.append("?")
    return "".join(out)


def worked_solution_latex(
    source: Stepper | Session,
    sample: int | None = None,
    digits: int = 4,
    title: str | None = None,
    *,
    so_far: bool = False,
    selection: Selection | None = None,
    widest: int | None = None,
) -> str:
    """The worked solution of ``worked_solution_markdown`` (the same arguments) as a complete LaTeX
    document (article, amsmath): a section per phase, each equation aligned at its "=" with its numbers."""
    solution = _solution(source, sample, title, so_far, selection, widest)
    given = solution.given
    s = solution.stepper
    sizes, layers = _network_summary(s)
    widest = max(s.network.sizes)
    lines = [
        r"\documentclass[11pt]{article}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{amsmath}",
        r"\allowdisplaybreaks",
        *([rf"\setcounter{{MaxMatrixCols}}{{{widest}}}"] if widest > 10 else []),
        r"\setlength{\textwidth}{\dimexpr\paperwidth-2in\relax}",
        r"\setlength{\oddsidemargin}{0pt}",
        r"\setlength{\evensidemargin}{0pt}",
        r"\setlength{\parindent}{0pt}",
        r"\setlength{\parskip}{0.6em}",
        r"\begin{document}",
        "",
        rf"\section*{{Worked solution: {tex_text(solution.title)}}}",
        "",
        tex_text(
            f"One pass of backpropagation for sample {solution.sample + 1} of {len(s.inputs)} through the "
            f"{sizes} network ({'; '.join(_layer_text(l, f, b) for l, f, b in layers)}; "
            f"loss: {s.network.loss.replace('_', ' ')})."
        ),
        "",
        _TEX_NOTATION + " " + tex_text(_rounding(digits)),
        "",
        r"\subsection*{Given}",
        r"\begin{gather*}",
        rf"x = {_tex_matrix(s.value(Quantity.INPUT).values[given.inputs, 0], digits)} \qquad "
        rf"t = {_tex_matrix(s.value(Quantity.TARGET).values[given.outputs, 0], digits)} \qquad "
        rf"\eta = {tex_number(s.learning_rate, digits)} \\",
    ]
    for l, _, bias in layers:
        weights, biases = s.weights_before(l)
        rows, columns = list(given.rows[l]), list(given.columns[l])
        weights, biases = weights[np.ix_(rows, columns)], biases[rows]
        b_text = _tex_matrix(biases, digits) if bias else r"0 \quad \text{(no bias)}"
        lines.append(rf"w^{{{l}}} = {_tex_matrix(weights, digits)} \qquad b^{{{l}}} = {b_text} \\")
    lines[-1] = lines[-1].removesuffix(r" \\")
    lines += [r"\end{gather*}", ""]
    for section in solution.sections:
        lines += [rf"\subsection*{{{tex_text(section.title)}}}", ""]
        general = [f"${_tex_definition(d)}$" for d in section.definitions]
        general += [f"${line}$" for line in _tex_function_lines(section)]
        lines += ["General form: " + ", ".join(general) + ".", ""]
        lines += [rf"\emph{{{_note(note, tex_text)}}}" + "\n" for note in section.notes]
        lines += _tex_lines(section.lines, digits)
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def _tex_lines(lines: Sequence[WorkedLine], digits: int) -> list[str]:
    """A section's lines: each run of equations as one ``align*``, each summary as a line of text."""
    out: list[str] = []
    run: list[Equation] = []
    for line in [*lines, None]:
        if line is not None and line.equation is not None:
            run.append(line.equation)
            continue
        if run:
            out += [r"\begin{align*}", *_tex_aligned(run, digits), r"\end{align*}", ""]
            run = []
        if line is not None:
            out += [tex_text(line.summary), ""]
    return out


def _tex_aligned(eqs: Sequence[Equation], digits: int) -> list[str]:
    """The rows of an ``align*``: a short equation on one row; a long one with a row per "=", its
    long sums broken before a "+" (plain brackets may span rows)."""
    rows: list[str] = []
    for eq in eqs:
        lhs, relation, parts = tex_equation_parts(eq, digits)
        tag = rf" \tag*{{\small {tex_text(eq.title.lower())}}}"
        if len(equation_text(eq, digits)) <= LATEX_LINE:
            rows.append(f"{lhs} &{relation} " + " = ".join(parts) + tag)
            continue
        first = f"{lhs} &{relation} "
        for form in (f for f in (eq.general, eq.numbers) if f):
            for i, chunk in enumerate(_chunks(form, LATEX_LINE)):
                lead = (first or "&= ") if i == 0 else r"&\quad "
                rows.append(lead + tex(chunk, digits) + (tag if first else ""))
                first = ""
        if eq.result is not None:
            rows.append(f"&= {tex_number(eq.result, digits)}")
    return [row + r" \\" for row in rows[:-1]] + rows[-1:]


def _chunks(tokens: Tokens, width: int) -> list[Tokens]:
    """``tokens`` cut before "+" signs into pieces whose plain text fits ``width`` where it can."""
    terms: list[list[Token]] = [[]]
    for tok in tokens:
        if tok == Op("+") and terms[-1]:
            terms.append([])
        terms[-1].append(tok)
    chunks: list[list[Token]] = []
    for term in terms:
        if chunks and len(to_text([*chunks[-1], *term])) <= width:
            chunks[-1].extend(term)
        else:
            chunks.append(list(term))
    return [tuple(chunk) for chunk in chunks]
