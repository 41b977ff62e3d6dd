"""A main window's docks by where they are: those in one of its areas, and the tab bars Qt makes for
docks tabbed together."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTabBar


def docks_in(
    window: QMainWindow, area: Qt.DockWidgetArea, docks: Iterable[QDockWidget] | None = None
) -> list[QDockWidget]:
    """The docks of ``window`` (those of ``docks``, if given) visible in ``area``, not floating. A tab
    behind another is visible, out of sight: ``shown.is_shown`` tells them apart."""
    docks = window.findChildren(QDockWidget) if docks is None else docks
    return [d for d in docks if d.isVisible() and not d.isFloating() and window.dockWidgetArea(d) == area]


def dock_tab_bars(window: QMainWindow) -> list[QTabBar]:
    """The tab bars of ``window``'s docks tabbed together: Qt makes them as the window's own children and
    gives no other handle on them."""
    return window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
