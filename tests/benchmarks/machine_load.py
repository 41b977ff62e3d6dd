"""The benchmarks' "busy machine": another process spinning one core while a measurement runs,
as a browser or a screen recorder does on a lecturer's laptop, and the order of interleaved repeats."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

MODES = ("idle", "busy")
SPIN = "print('spinning', flush=True)\nwhile True: pass"  # one core, until killed


@contextmanager
def machine(mode: str) -> Iterator[None]:
    """Run the body on an otherwise quiet machine (``"idle"``) or with one core spun by a
    background process (``"busy"``), which is ended afterwards."""
    if mode == "idle":
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True)
    try:
        spinner.stdout.readline()  # it has started and spins from now on
        time.sleep(0.05)
        yield
    finally:
        spinner.kill()
        spinner.wait()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(title: str, rows: dict[str, dict[str, list[float]]], unit: str) -> str:
    """Rows of medians, idle and busy side by side: ``rows[name][mode]`` are the repeats' figures."""
    lines = [f"\n{title}", f"  {'':<34}{'idle':>12}{'busy':>12}"]
    for name, by_mode in rows.items():
        cells = "".join(f"{median(by_mode.get(mode, [])):>10.{2 if unit == '×' else 1}f}{unit:<2}" for mode in MODES)
        lines.append(f"  {name:<34}{cells}")
    return "\n".join(lines)
