"""The list of recently opened session files, kept in QSettings, and the Open Recent menu."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu

RECENT_KEY = "session/recentFiles"
RECENT_LIMIT = 10


class RecentFiles:
    """Absolute paths, most recent first, at most ``limit`` of them, stored under ``key``."""

    def __init__(self, settings: QSettings, key: str = RECENT_KEY, limit: int = RECENT_LIMIT) -> None:
        self.settings = settings
        self.key = key
        self.limit = limit

    def paths(self) -> list[str]:
        value = self.settings.value(self.key, [])
        if isinstance(value, str):  # QSettings hands back a one-item list as a plain string
            value = [value]
        return [str(path) for path in value if path] if isinstance(value, list) else []

    def add(self, path: str) -> None:
        """Put ``path`` first (moving it if it was already listed)."""
        path = os.path.abspath(path)
        self._store([path] + [p for p in self.paths() if p != path])

    def remove(self, path: str) -> None:
        path = os.path.abspath(path)
        self._store([p for p in self.paths() if p != path])

    def clear(self) -> None:
        self._store([])

    def _store(self, paths: list[str]) -> None:
        self.settings.setValue(self.key, paths[: self.limit])
        self.settings.sync()


def fill_recent_menu(menu: QMenu, recent: RecentFiles, open_path: Callable[[str], object]) -> None:
    """Rebuild ``menu``: one numbered item per recent file (tooltip: the full path), then Clear Menu."""
    menu.clear()
    menu.setToolTipsVisible(True)
    paths = recent.paths()
    for number, path in enumerate(paths, start=1):
        label = os.path.basename(path).replace("&", "&&")
        prefix = f"&{number}  " if number < 10 else f"{number}  "
        action = menu.addAction(prefix + label)
        action.setToolTip(path)
        action.setStatusTip(path)
        action.triggered.connect(lambda _=False, p=path: open_path(p))
    if not paths:
        menu.addAction("No Recent Files").setEnabled(False)
    menu.addSeparator()
    clear = menu.addAction("Clear Menu")
    clear.setEnabled(bool(paths))
    clear.triggered.connect(recent.clear)
