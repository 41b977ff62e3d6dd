"""Rich text and fonts for the course's symbols and numbers, shared by every panel that shows them.

Every name is escaped, so no session file can inject markup.
"""

from __future__ import annotations

import html
import re
from functools import cache, lru_cache

from PySide6.QtGui import QFont

from backprop_gui.core.features import formula
from backprop_gui.core.formatting import format_number
from backprop_gui.core.formulas import Fn, Num, Op, Sym, Token, spaced

_VARIABLE = re.compile(r"[A-Za-zδη]")
OVERHANGING = ("f",)  # italic letters whose top reaches over a superscript beside them
# A hair space in rich text: Qt reads a space of any width as a word space unless told to keep it.
HAIR_SPACE = '<span style="white-space:pre">\u200a</span>'
_RAW_INPUT = re.compile(r"x(\d)")


def sym_html(sym: Sym) -> str:
    """``sym`` as rich text: letters in italics, then <sub> and <sup>; every part escaped."""
    italic = sym.base != "Σ"
    base = "".join(f"<i>{c}</i>" if italic and _VARIABLE.fullmatch(c) else html.escape(c) for c in sym.base)
    sub = f"<sub>{html.escape(sym.sub)}</sub>" if sym.sub else ""
    sup = f"<sup>{html.escape(sym.sup)}</sup>" if sym.sup else ""
    if sup and not sub and italic and sym.base.endswith(OVERHANGING):
        sup = HAIR_SPACE + sup  # an italic f leans into its superscript: keep them apart
    return base + sub + sup


@lru_cache(maxsize=4096)  # a step writes again most of the equations of the step before
def tokens_html(tokens: tuple[Token, ...], digits: int, number_color: str | None = None) -> str:
    """Tokens as rich text; numbers at ``digits`` significant digits, in ``number_color`` if given."""
    parts = []
    for sep, tok in spaced(tokens):
        if isinstance(tok, Num):
            text = html.escape(format_number(tok.value, digits))
            text = f'<span style="color:{number_color}">{text}</span>' if number_color else text
        elif isinstance(tok, Sym):
            text = sym_html(tok)
        elif isinstance(tok, Fn):
            text = html.escape(tok.name)
        else:
            text = html.escape(tok.text)
        parts.append(("&nbsp;" if sep and isinstance(tok, Op) and tok.text in ("=", "←") else sep) + text)
    return "".join(parts)


def sup(n: int) -> str:
    """``n`` in Unicode superscript digits: 2 → ²."""
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


@cache
def number_font(bold: bool = False) -> QFont:
    """Tabular (equal-width) digits, so numbers line up in columns, and the weight; nothing else is
    set, so the font takes the family and size of the widget it is resolved against (an item view
    does so with a FontRole): presenting's large fonts reach the numbers too. To measure with it,
    ``number_font(bold).resolve(widget.font())``."""
    font = QFont()
    font.setFeature(QFont.Tag("tnum"), 1)
    font.setBold(bold)
    return font


def feature_html(name: str) -> str:
    """Input feature ``name``'s formula as rich text: x1² with x₁ as <i>x</i><sub>1</sub>, sin x₁."""
    return _RAW_INPUT.sub(r"<i>x</i><sub>\1</sub>", html.escape(formula(name)))
