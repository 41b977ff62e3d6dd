"""Counting what a JSON text would build, before ``json.loads`` builds it.

``json.loads`` makes a Python object of every number, string, list and object of a text: a
list-form number costs about 32 bytes, a list about 64, against the few bytes of its text. So
before a session file is parsed, ``check_json_size`` counts the values (numbers, strings, true,
false, null) inside lists and objects, and the lists and objects themselves, refusing the text
when either passes its limit, naming the field where it did. The count needs no memory beyond
the text: an upper bound from counting commas and brackets settles almost every file at once
(compact arrays are base64 strings, without either); only a text over that bound is scanned,
with whole lists of numbers and lists of such rows taken in one step.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# one row of numbers (no nesting, no strings), and a list of such rows (a matrix)
_ROW = r'\[[^\[\]{}"]*\]'
_FLAT = re.compile(_ROW)
_MATRIX = re.compile(rf"\[(?:\s*{_ROW}\s*,)*+\s*{_ROW}\s*\]")
_STRUCTURE = re.compile(r'[\[\]{}":]')
_VALUE = re.compile(r"[^\s,]")  # a character of a value, in the text between two commas


class JsonTooLarge(ValueError):
    """A JSON text that would build more values than allowed; the message starts with the field path."""


@dataclass
class _Open:
    """A list or object being scanned: its key or index in its parent, and what it holds so far."""

    is_list: bool
    name: str | int | None  # its key in the object around it, or its index in the list around it
    commas: int = 0
    values: bool = False  # whether it holds anything
    children: int = 0  # lists and objects directly inside
    key: str | None = None  # in an object: the key last read


def check_json_size(text: str, max_values: int, max_containers: int) -> None:
    """Raise JsonTooLarge if parsing ``text`` would build more than ``max_values`` numbers, strings
    and literals inside lists and objects, or more than ``max_containers`` lists and objects.
    The message names the field path where a limit was passed (``history.step_losses: …``).
    A malformed text is left to the parser to describe."""
    bound = text.count(",") + text.count("[") + text.count("{")
    if bound <= min(max_values, max_containers):
        return
    _Scan(text, max_values, max_containers).run()


class _Scan:
    def __init__(self, text: str, max_values: int, max_containers: int) -> None:
        self.text = text
        self.max_values, self.max_containers = max_values, max_containers
        self.values = self.containers = 0
        self.stack: list[_Open] = []

    def run(self) -> None:
        text, stack, pos = self.text, self.stack, 0
        string = ""  # the text of the last string read (a key when a ":" follows)
        while (found := _STRUCTURE.search(text, pos)) is not None:
            at, char = found.start(), found.group()
            if stack:
                self._gap(stack[-1], pos, at)
            if char == '"':
                pos = _string_end(text, at)
                string = text[at : min(pos, at + 202)]
                if stack:
                    stack[-1].values = True
            elif char == ":":
                if stack and not stack[-1].is_list:
                    stack[-1].key = _key(string)
                pos = at + 1
            elif char in "[{":
                if stack:
                    stack[-1].values = True
                    stack[-1].children += 1
                pos = self._open(at, char == "[")
            elif not stack:
                return  # a stray closing bracket: the parser will say where
            else:
                self._close(stack.pop())
                pos = at + 1

    def _open(self, at: int, is_list: bool) -> int:
        """Scan the list or object opening at ``at``; where to go on from."""
        parent = self.stack[-1] if self.stack else None
        name = None if parent is None else (parent.commas if parent.is_list else parent.key)
        if is_list and (match := _MATRIX.match(self.text, at) or _FLAT.match(self.text, at)):
            rows = self.text.count("[", at + 1, match.end())
            commas = self.text.count(",", at, match.end())
            self._count(name, containers=1 + rows)
            if rows:  # a matrix: the commas between its rows stand for the first number of each row
                self._count(name, values=commas + 1)
            else:
                self._count(name, values=commas + (1 if _VALUE.search(self.text, at + 1, match.end() - 1) else 0))
            return match.end()
        self._count(name, containers=1)
        self.stack.append(_Open(is_list, name))
        return at + 1

    def _gap(self, open_: _Open, start: int, end: int) -> None:
        """Count the commas and values of the text between two structural characters."""
        if start < end:
            open_.commas += self.text.count(",", start, end)
            if not open_.values and _VALUE.search(self.text, start, end):
                open_.values = True

    def _close(self, open_: _Open) -> None:
        values = open_.commas + (1 if open_.values else 0) - open_.children
        self._count(open_.name, values=max(values, 0))

    def _count(self, name: str | int | None, values: int = 0, containers: int = 0) -> None:
        self.values += values
        self.containers += containers
        if self.values > self.max_values:
            raise JsonTooLarge(
                f"{self._path(name)}: more than {self.max_values:,} numbers and other values written as lists "
                "in this file (refused before reading them)"
            )
        if self.containers > self.max_containers:
            raise JsonTooLarge(
                f"{self._path(name)}: more than {self.max_containers:,} lists and objects in this file "
                "(refused before reading them)"
            )

    def _path(self, name: str | int | None) -> str:
        """The field path of ``name`` in the open containers, without trailing list indices."""
        parts = [open_.name for open_ in self.stack[1:]] + [name]
        while parts and (parts[-1] is None or isinstance(parts[-1], int)):
            parts.pop()
        path = ""
        for part in parts:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        return path or "the file"


def _string_end(text: str, start: int) -> int:
    """The position after the string opening at ``start`` (the end of the text if it is unterminated)."""
    pos = start + 1
    while (end := text.find('"', pos)) >= 0:
        slashes = end
        while slashes > pos and text[slashes - 1] == "\\":
            slashes -= 1
        if (end - slashes) % 2 == 0:
            return end + 1
        pos = end + 1
    return len(text)


def _key(token: str) -> str:
    """The key a string token (at most 202 characters of it) spells, shortened for a message."""
    try:
        decoded = json.loads(token)
    except ValueError:
        decoded = None
    key = decoded if isinstance(decoded, str) else token.strip('"')
    return key if len(key) <= 40 else key[:40] + "…"
