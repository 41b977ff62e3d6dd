"""The menus of a window's menu bar, submenus included."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu


def menu_tree(window: QMainWindow) -> list[QMenu]:
    """Every menu of ``window``'s menu bar, submenus included, in menu order."""
    found: list[QMenu] = []
    pending = [action.menu() for action in window.menuBar().actions()]
    while pending:
        menu = pending.pop(0)
        if isinstance(menu, QMenu) and menu not in found:
            found.append(menu)
            pending += [action.menu() for action in menu.actions()]
    return found
