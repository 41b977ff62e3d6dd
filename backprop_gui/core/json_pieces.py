"""JSON text written a piece at a time, with long byte strings as base64 encoded piece by piece.

A session file's large arrays are base64 strings of tens of MB. ``json.dumps`` and one
``b64encode`` over them hold the interpreter for a tenth of a second or more, which a window
writing its autosave on another thread would feel as a freeze. ``json_pieces`` gives the same
text as pieces that each take a millisecond or two to make.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

CHUNK = 3 * 2**18  # raw bytes encoded per piece (~1 MB of text); a multiple of 3, so the pieces join


@dataclass(frozen=True)
class Base64Text:
    """Bytes that the JSON text holds as their base64 string (standard alphabet, with padding)."""

    raw: bytes


def json_pieces(value: Any, chunk: int = CHUNK) -> Iterator[bytes]:
    """``json.dumps(value, allow_nan=False)`` as ASCII bytes, in pieces: the text around the
    ``Base64Text`` values in ``value`` at once, and each of those as its base64 string written
    ``chunk`` raw bytes (a multiple of 3) at a time. ValueError for NaN or infinity, TypeError
    for a value JSON cannot hold, both before the first piece."""
    if chunk <= 0 or chunk % 3:
        raise ValueError(f"chunk: must be a positive multiple of 3, got {chunk}")
    marker = uuid.uuid4().hex  # no text in ``value`` holds it
    found: list[bytes] = []

    def placeholder(obj: Any) -> str:
        if isinstance(obj, Base64Text):
            found.append(obj.raw)
            return f"{marker}:{len(found) - 1}"
        raise TypeError(f"a {type(obj).__name__} cannot be written as JSON")

    text = json.dumps(value, allow_nan=False, default=placeholder)
    return _pieces(re.split(f'"{marker}:(\\d+)"', text), found, chunk)


def _pieces(parts: list[str], found: list[bytes], chunk: int) -> Iterator[bytes]:
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if part:
                yield part.encode("ascii")
            continue
        raw = memoryview(found[int(part)])
        yield b'"'
        for start in range(0, len(raw), chunk):
            yield base64.b64encode(raw[start : start + chunk])
        yield b'"'
