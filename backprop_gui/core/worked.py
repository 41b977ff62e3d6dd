"""The worked solution of one pass in Markdown and LaTeX: every equation with its numbers put in.

It walks the equations of ``core.formulas`` (the formula panel's own) on ``export.full_pass``,
so it explains each number the way the window does; nothing of backprop is computed here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from backprop_gui.core.export import full_pass
from backprop_gui.core.formatting import format_number
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
    index,
    spaced,
    to_text,
)
from backprop_gui.core.session import Session
from backprop_gui.core.stepper import Quantity, Stepper

LATEX_LINE = 70  # a LaTeX equation longer than this (in plain characters) gets one line per "="

# --- what it says ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    """One phase of the worked solution: its general equations, then every equation with numbers."""

    title: str
    definitions: tuple[Tokens, ...]
    equations: tuple[Equation, ...]
    notes: tuple[str, ...] = ()
    activation: str = ""  # the layer's f (Forward) or, with ``derivative``, its f′ (Backward)
    derivative: bool = False


@dataclass
class _Solution:
    stepper: Stepper
    title: str
    sample: int
    sections: list[_Section] = field(default_factory=list)


def _solution(source: Stepper | Session, sample: int | None, title: str | None) -> _Solution:
    stepper = full_pass(source, sample)
    if title is None:
        title = source.name if isinstance(source, Session) else "network"
    return _Solution(stepper, title, int(stepper.sample_indices[0]), _sections(stepper))


def _sections(s: Stepper) -> list[_Section]:
    network, L = s.network, s.network.depth
    sizes = network.sizes
    neuron = {(l, j): {eq.quantity: eq for eq in equations(s, l, j)} for l in range(1, L + 1) for j in range(sizes[l])}
    edge = {
        (l, j, k): equations(s, l, j, k) for l in range(1, L + 1) for j in range(sizes[l]) for k in range(sizes[l - 1])
    }
    Q = Quantity
    sections = []
    for l in range(1, L + 1):
        first = neuron[(l, 0)]
        eqs = tuple(neuron[(l, j)][q] for j in range(sizes[l]) for q in (Q.WEIGHTED_INPUT, Q.ACTIVATION))
        activation = network.layer(l).activation
        title = f"Forward {l} (layer {l}, {activation.replace('_', ' ')})"
        defs = (first[Q.WEIGHTED_INPUT].definition, first[Q.ACTIVATION].definition)
        sections.append(_Section(title, defs, eqs, activation=activation))

    out = neuron[(L, 0)]
    eqs = (out[Q.LOSS], *(neuron[(L, j)][Q.OUTPUT_GRADIENT] for j in range(sizes[L])))
    title = f"Loss ({network.loss.replace('_', ' ')})"
    sections.append(_Section(title, (out[Q.LOSS].definition, out[Q.OUTPUT_GRADIENT].definition), eqs))

    for l in range(L, 0, -1):
        bias = network.layer(l).has_bias
        per_neuron = [
            neuron[(l, j)][q] for j in range(sizes[l]) for q in (Q.DELTA, Q.GRAD_BIASES) if q in neuron[(l, j)]
        ]
        grads = [edge[(l, j, k)][0] for j in range(sizes[l]) for k in range(sizes[l - 1])]
        defs = (neuron[(l, 0)][Q.DELTA].definition, grads[0].definition)
        if bias:
            defs += (neuron[(l, 0)][Q.GRAD_BIASES].definition,)
        activation = network.layer(l).activation
        plain_f = f"f′ of {activation}"  # the note of a δ that multiplies by f′(z): shown as f′'s formula instead
        notes = _unique(eq.note for eq in [*per_neuron, *grads] if eq.note and eq.note != plain_f)
        if not bias:
            notes += (f"Layer {l} has no bias: b^{l} = 0 is not learned, so it has no ∂C/∂b.",)
        uses_f = any(eq.note == plain_f for eq in per_neuron)
        sections.append(
            _Section(f"Backward {l}", defs, (*per_neuron, *grads), notes, activation if uses_f else "", uses_f)
        )

    updates: list[Equation] = []
    defs: tuple[Tokens, ...] = ()
    for l in range(1, L + 1):
        weights = [edge[(l, j, k)][1] for j in range(sizes[l]) for k in range(sizes[l - 1])]
        biases = [neuron[(l, j)][Q.NEW_BIASES] for j in range(sizes[l]) if Q.NEW_BIASES in neuron[(l, j)]]
        defs = defs or (weights[0].definition,)
        if biases and len(defs) == 1:
            defs += (biases[0].definition,)
        updates += weights + biases
    sections.append(_Section("Update", defs, tuple(updates)))
    return sections


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _network_summary(stepper: Stepper) -> tuple[str, list[tuple[int, str, bool]]]:
    """("2–2–1", [(l, activation, has_bias), …])."""
    network = stepper.network
    layers = [(l, network.layer(l).activation, network.layer(l).has_bias) for l in range(1, network.depth + 1)]
    return "–".join(map(str, network.sizes)), layers


# --- LaTeX of tokens (also the maths of the Markdown) -------------------------------------------

_TEX_SYMBOLS = {"δ": r"\delta", "Σ": r"\sum", "η": r"\eta"}
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
    if sym.base.startswith("∂C/∂"):
        inner = _tex_symbol(Sym(sym.base.removeprefix("∂C/∂"), sym.sub, sym.sup))
        return rf"\frac{{\partial C}}{{\partial {inner}}}"
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


def _tex_function_lines(section: _Section) -> list[str]:
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
    source: Stepper | Session, sample: int | None = None, digits: int = 4, title: str | None = None
) -> str:
    """The whole pass of one sample as a worked solution in Markdown: a heading per phase, each
    general equation, then every z, a, C, ∂C/∂a, δ, gradient and update with its numbers in ``$…$``.

    ``source`` and ``sample`` as for ``full_pass``; ``title`` names the network (default: the
    session's name); numbers at ``digits`` significant digits.
    """
    solution = _solution(source, sample, title)
    s = solution.stepper
    sizes, layers = _network_summary(s)
    count = len(s.inputs)
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
        "- Input: " + _md_values("x", s.value(Quantity.INPUT).values[:, 0], digits),
        "- Target: " + _md_values("t", s.value(Quantity.TARGET).values[:, 0], digits),
        rf"- Learning rate: $\eta = {tex_number(s.learning_rate, digits)}$",
        "",
    ]
    for l, _, bias in layers:
        lines += _md_parameters(s, l, bias, digits)
    for section in solution.sections:
        lines += [f"## {_md_text(section.title)}", ""]
        general = [f"${_tex_definition(d)}$" for d in section.definitions]
        general += [f"${line}$" for line in _tex_function_lines(section)]
        lines += ["General form: " + ", ".join(general) + ".", ""]
        lines += [f"*{_md_text(note)}*\n" for note in section.notes]
        lines += [f"- {eq.title}: ${tex_equation(eq, digits)}$" for eq in section.equations] + [""]
    return "\n".join(lines).rstrip() + "\n"


def _md_values(symbol: str, values: np.ndarray, digits: int) -> str:
    return ", ".join(
        f"${_tex_symbol(Sym(symbol, index(j)))} = {tex_number(float(v), digits)}$" for j, v in enumerate(values)
    )


def _md_parameters(s: Stepper, l: int, bias: bool, digits: int) -> list[str]:
    weights, biases = s.weights_before(l)
    header = ["$j$"] + [f"${_tex_symbol(Sym('w', 'j' + str(k + 1), str(l)))}$" for k in range(weights.shape[1])]
    if bias:
        header.append(f"${_tex_symbol(Sym('b', 'j', str(l)))}$")
    rows = [
        [str(j + 1)] + [format_number(float(v), digits) for v in weights[j]]
        + ([format_number(float(biases[j]), digits)] if bias else [])
        for j in range(weights.shape[0])
    ]  # fmt: skip
    caption = f"Layer {l}: weights $w_{{jk}}^{{{l}}}$ in row $j$, column $k$"
    caption += f", and biases $b_{{j}}^{{{l}}}$" if bias else " (no bias)"
    return [
        caption + ":",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---:|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
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
    source: Stepper | Session, sample: int | None = None, digits: int = 4, title: str | None = None
) -> str:
    """The worked solution of ``worked_solution_markdown`` as a complete LaTeX document (article,
    amsmath): a section per phase, each equation aligned at its "=" with its numbers."""
    solution = _solution(source, sample, title)
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
        rf"x = {_tex_matrix(s.value(Quantity.INPUT).values[:, 0], digits)} \qquad "
        rf"t = {_tex_matrix(s.value(Quantity.TARGET).values[:, 0], digits)} \qquad "
        rf"\eta = {tex_number(s.learning_rate, digits)} \\",
    ]
    for l, _, bias in layers:
        weights, biases = s.weights_before(l)
        b_text = _tex_matrix(biases, digits) if bias else r"0 \quad \text{(no bias)}"
        lines.append(rf"w^{{{l}}} = {_tex_matrix(weights, digits)} \qquad b^{{{l}}} = {b_text} \\")
    lines[-1] = lines[-1].removesuffix(r" \\")
    lines += [r"\end{gather*}", ""]
    for section in solution.sections:
        lines += [rf"\subsection*{{{tex_text(section.title)}}}", ""]
        general = [f"${_tex_definition(d)}$" for d in section.definitions]
        general += [f"${line}$" for line in _tex_function_lines(section)]
        lines += ["General form: " + ", ".join(general) + ".", ""]
        lines += [rf"\emph{{{tex_text(note)}}}" + "\n" for note in section.notes]
        lines += [r"\begin{align*}", *_tex_aligned(section.equations, digits), r"\end{align*}", ""]
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


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
