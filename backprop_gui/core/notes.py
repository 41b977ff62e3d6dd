"""A session's note as rich text: Markdown blocks with inline math in a small TeX subset.

Blocks: paragraphs (blank line between; a single line break is kept), headings (``#`` to
``###``), bullet lists (``-``, ``*``, ``+``) and numbered lists (``1.``). Inline: ``**bold**``,
``*emphasis*``, ```code```, and math between ``$…$``: ``x^2``, ``w_{jk}^{l}``, Greek letters
(``\\delta``), ``\\sum``, ``\\odot``, ``\\partial``, ``'`` as ′, ``\\frac{a}{b}`` as a/b; ``\\$`` is a
dollar sign. Notes in the older caret form (``z^1 = w^1 x``, ``a^{l−1} δ^l``, ``Σ_k e^{z_k^2}``)
get true scripts outside ``$…$`` too. Everything else is escaped: a note is text from a file.
"""

from __future__ import annotations

import html
import re

GREEK = {
    name: chr(code)
    for name, code in [
        ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5),
        ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("iota", 0x3B9), ("kappa", 0x3BA),
        ("lambda", 0x3BB), ("mu", 0x3BC), ("nu", 0x3BD), ("xi", 0x3BE), ("pi", 0x3C0), ("rho", 0x3C1),
        ("sigma", 0x3C3), ("tau", 0x3C4), ("upsilon", 0x3C5), ("phi", 0x3C6), ("chi", 0x3C7),
        ("psi", 0x3C8), ("omega", 0x3C9), ("Gamma", 0x393), ("Delta", 0x394), ("Theta", 0x398),
        ("Lambda", 0x39B), ("Xi", 0x39E), ("Pi", 0x3A0), ("Sigma", 0x3A3), ("Phi", 0x3A6),
        ("Psi", 0x3A8), ("Omega", 0x3A9),
    ]
}  # fmt: skip
SYMBOLS = {
    "sum": "∑", "prod": "∏", "odot": "⊙", "partial": "∂", "nabla": "∇", "cdot": "·", "times": "×",
    "leftarrow": "←", "gets": "←", "rightarrow": "→", "to": "→", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "infty": "∞", "pm": "±", "in": "∈",
    "prime": "′", "ldots": "…", "dots": "…", "cdots": "⋯", "{": "{", "}": "}", "$": "$",
    ",": " ", ";": " ", " ": " ", "quad": " ",
}  # fmt: skip
BINARY = frozenset({"odot", "cdot", "times", "leftarrow", "gets", "rightarrow", "to", "le", "leq", "ge", "geq",
                    "ne", "neq", "approx", "pm", "in"})  # fmt: skip
FUNCTIONS = frozenset({"log", "ln", "exp", "max", "min", "tanh", "sin", "cos"})
_VARIABLE = re.compile(r"[A-Za-zα-ω]")
_HEADING = re.compile(r"(#{1,3})\s+(.*?)\s*#*\s*")
_BULLET = re.compile(r"[-*+]\s+(.*)")
_NUMBERED = re.compile(r"\d{1,9}[.)]\s+(.*)")
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*")
# The scripts Unicode has: a script of other characters keeps its caret form in plain text.
_PLAIN_SUBSCRIPTS = dict(zip("0123456789+−-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_PLAIN_SUPERSCRIPTS = dict(
    zip("0123456789+−-=()abcdefghijklmnoprstuvwxyzL", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴸ", strict=True)
)


def render_note(text: str) -> str:
    """``text`` (Markdown with ``$…$`` math, or plain caret notation) as Qt rich-text HTML."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ue000", "\ufffd").replace("\ue001", "\ufffd")
    out: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        out.extend(_block(lines))
    return "".join(out)


def _block(lines: list[str]) -> list[str]:
    """One block of lines as HTML: headings, lists and paragraphs, in the order they come."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal kind
        if paragraph:
            out.append("<p>" + "<br>".join(inline(line.strip()) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            out.append(f"<{kind}>" + "".join(f"<li>{inline(item)}</li>" for item in items) + f"</{kind}>")
            items.clear()
        kind = ""

    for line in lines:
        stripped = line.strip()
        heading = _HEADING.fullmatch(stripped)
        bullet = _BULLET.fullmatch(stripped)
        numbered = _NUMBERED.fullmatch(stripped)
        if heading:
            flush()
            level = len(heading.group(1)) + 2
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if kind != tag:
                flush()
                kind = tag
            items.append((bullet or numbered).group(1))  # type: ignore[union-attr]
        elif items and line[:1] in (" ", "\t"):
            items[-1] += " " + stripped  # an indented line continues the list item
        else:
            if items:
                flush()
            paragraph.append(stripped)
    flush()
    return out


def inline(text: str) -> str:
    """One line of Markdown inline text as HTML: math, code, bold, emphasis and caret scripts."""
    spans: list[str] = []

    def keep(rendered: str) -> str:
        spans.append(rendered)
        return f"\ue000{len(spans) - 1}\ue001"

    pieces: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in "$*`\\":
            pieces.append(keep(html.escape(text[i + 1])))
            i += 2
            continue
        if c in "$`":
            end = _closing(text, i + 1, c)
            if end > i + 1:
                body = text[i + 1 : end]
                rendered = math_html(body) if c == "$" else f"<code>{html.escape(body)}</code>"
                pieces.append(keep(rendered))
                i = end + 1
                continue
        pieces.append(c)
        i += 1
    html_text = _emphasis("".join(pieces))
    return _PLACEHOLDER.sub(lambda m: spans[int(m.group(1))], html_text)


def _closing(text: str, start: int, mark: str) -> int:
    """Index of the unescaped ``mark`` closing a span opened before ``start`` (−1 when none)."""
    i = start
    while i < len(text):
        if text[i] == "\\" and mark == "$":
            i += 2
            continue
        if text[i] == mark:
            return i
        i += 1
    return -1


def _emphasis(text: str) -> str:
    """``**bold**`` and ``*emphasis*`` (nested either way) around prose in caret form."""
    for pattern, tag in ((_BOLD, "b"), (_EMPHASIS, "i")):
        match = pattern.search(text)
        if match:
            before, inner, after = text[: match.start()], match.group(1), text[match.end() :]
            return _emphasis(before) + f"<{tag}>{_emphasis(inner)}</{tag}>" + _emphasis(after)
    return caret_html(text)


def caret_html(text: str) -> str:
    """Plain prose with caret notation as HTML: ``w_jk^l`` → w<sub>jk</sub><sup>l</sup>, ``f'`` → f′.

    A subscript needs a one-letter base (``leaky_relu`` stays as it is); a superscript
    follows anything but a space. Scripts are one run of letters and digits or a ``{group}``.
    """
    return _scripts(text, math=False)


def caret_plain(text: str) -> str:
    """Plain prose with caret notation in Unicode's scripts, for text that cannot be rich (a list's
    items, the status bar): ``a_j^L`` → aⱼᴸ, ``w_jk^{l+1}`` → wⱼₖˡ⁺¹, ``f'`` → f′. A script with a
    character Unicode has no script for keeps its caret form (``n_L``)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "^_" and i > 0 and _scripted(text, i, math=False):
            body, end = _script_body(text, i + 1, math=False)
            scripts = _PLAIN_SUPERSCRIPTS if c == "^" else _PLAIN_SUBSCRIPTS
            whole = bool(body) and all(ch in scripts for ch in body)
            out.append("".join(scripts[ch] for ch in body) if whole else text[i:end])
            i = end
            continue
        out.append("′" if c == "'" and _is_prime(text, i, math=False) else c)
        i += 1
    return "".join(out)


def math_html(tex: str) -> str:
    """The TeX subset between ``$…$`` as HTML: scripts, Greek letters, symbols, ``\\frac`` as a/b."""
    return re.sub(" {2,}", " ", _scripts(tex, math=True)).strip()


def _scripts(text: str, math: bool) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "^_" and i > 0 and _scripted(text, i, math):
            body, i = _script_body(text, i + 1, math)
            tag = "sup" if c == "^" else "sub"
            out.append(f"<{tag}>{_scripts(body, math)}</{tag}>")
            continue
        if c == "'" and _is_prime(text, i, math):
            out.append("′")
        elif math and c == "\\":
            rendered, i = _command(text, i)
            out.append(rendered)
            continue
        elif math and c in "{}":
            pass  # TeX grouping braces are not shown
        elif math and c == "-":
            out.append("−")
        elif math and _VARIABLE.fullmatch(c) and not _in_word(text, i):
            out.append(f"<i>{c}</i>")
        else:
            out.append(html.escape(c))
        i += 1
    return "".join(out)


def _in_word(text: str, i: int) -> bool:
    """Whether the letter at ``i`` is part of a longer run of letters (a word, not a variable)."""
    before = i > 0 and text[i - 1].isalpha()
    after = i + 1 < len(text) and text[i + 1].isalpha()
    return before or after


def _scripted(text: str, i: int, math: bool) -> bool:
    """Whether the ``^`` or ``_`` at ``i`` starts a script (rather than being a literal character)."""
    follows = text[i + 1] if i + 1 < len(text) else " "
    if not (follows == "{" or follows.isalnum() or follows in "−-" or (math and follows == "\\")):
        return False
    if text[i - 1].isspace():
        return False
    if math or text[i] == "^":
        return True
    j = i
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    return i - j == 1 or (i - j == 0 and text[i - 1] in "Σ∑)}′'")


def _script_body(text: str, start: int, math: bool) -> tuple[str, int]:
    """The script starting at ``start`` and the index after it: a ``{group}``, a TeX command, or a run."""
    if text[start] == "{":
        end = _group_end(text, start)
        return text[start + 1 : end], end + 1
    if math and text[start] == "\\":
        match = re.match(r"\\[A-Za-z]+", text[start:])
        size = len(match.group(0)) if match else 2
        return text[start : start + size], start + size
    if math:
        return text[start], start + 1  # TeX: a script without braces is one character
    end = start + 1 if text[start] in "−-" else start
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start:end], end


def _group_end(text: str, start: int) -> int:
    """Index of the ``}`` matching the ``{`` at ``start`` (the text's end when it is missing)."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _is_prime(text: str, i: int, math: bool) -> bool:
    """Whether the ``'`` at ``i`` is a derivative's prime (f′, σ′), not an apostrophe or a quote."""
    if math:
        return True
    if i == 0 or not text[i - 1].isalpha() or (i > 1 and text[i - 2].isalpha()):
        return False
    return i + 1 >= len(text) or not text[i + 1].isalpha()


def _command(text: str, i: int) -> tuple[str, int]:
    r"""The TeX command at ``i`` (``\delta``, ``\frac{a}{b}``, ``\text{…}``) as HTML, and the index after it."""
    match = re.match(r"\\([A-Za-z]+)\s*|\\(.)", text[i:], re.DOTALL)
    if match is None:
        return html.escape("\\"), i + 1
    name, end = match.group(1) or match.group(2), i + len(match.group(0))
    if name in GREEK:
        letter = GREEK[name]
        return (f"<i>{letter}</i>" if letter.islower() else letter), end
    if name in BINARY:
        return f" {SYMBOLS[name]} ", end
    if name in SYMBOLS:
        return html.escape(SYMBOLS[name]), end
    if name in FUNCTIONS:
        return name + (" " if match.group(0)[-1].isspace() else ""), end
    if name in ("left", "right"):
        return "", end
    if name in ("text", "mathrm", "operatorname") and end < len(text) and text[end] == "{":
        close = _group_end(text, end)
        return html.escape(text[end + 1 : close]), close + 1
    if name == "frac" and end < len(text) and text[end] == "{":
        close = _group_end(text, end)
        numerator = text[end + 1 : close]
        denominator = ""
        after = close + 1
        if after < len(text) and text[after] == "{":
            end_den = _group_end(text, after)
            denominator, after = text[after + 1 : end_den], end_den + 1
        return f"{_fraction_part(numerator)}/{_fraction_part(denominator)}", after
    return html.escape(match.group(0).strip()) + " ", end  # unknown: shown as written, nothing lost


def _fraction_part(tex: str) -> str:
    """A numerator or denominator for a/b: in parentheses when it is more than one term."""
    rendered = math_html(tex)
    terms = re.sub(r"(\\[A-Za-z]+)\s+", r"\1", tex.strip())
    compound = re.search(r"[\s+\-−=]|\\(" + "|".join(BINARY) + r")(?![A-Za-z])", terms) is not None
    return f"({rendered})" if compound else rendered
