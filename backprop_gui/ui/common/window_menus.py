"""The menu-bar menus that installed features share: find one by title, or add it in its place.

A window may keep a ``menus`` map (title without "&" → QMenu, as ``MainWindow`` does); menus
added here are registered in it, so later features find them there.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu


def find_menu(window: QMainWindow, title: str) -> QMenu | None:
    """The window's menu-bar menu called ``title`` (ignoring "&" mnemonics), if there is one."""
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and menu.title().replace("&", "") == title:
            return menu
    return None


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


def window_menu(window: QMainWindow, title: str, mnemonic: str | None = None, after: QMenu | None = None) -> QMenu:
    """The window's ``title`` menu: the one in its ``menus`` map or on its menu bar, else a new one
    shown as ``mnemonic`` (default "&" + title), placed right after ``after`` when given, else
    before Help, else last."""
    menu = _existing(window, title)
    if menu is not None:
        return menu
    bar = window.menuBar()
    menu = QMenu(mnemonic or f"&{title}", window)
    actions = bar.actions()
    if after is not None and after.menuAction() in actions:
        index = actions.index(after.menuAction()) + 1
        before = actions[index] if index < len(actions) else None
    else:
        help_menu = _existing(window, "Help")
        before = help_menu.menuAction() if help_menu is not None else None
    if before is None:
        bar.addMenu(menu)
    else:
        bar.insertMenu(before, menu)
    menus = getattr(window, "menus", None)
    if isinstance(menus, dict):
        menus[title] = menu
    return menu


def _existing(window: QMainWindow, title: str) -> QMenu | None:
    """The ``title`` menu of the window's ``menus`` map, else of its menu bar."""
    menus = getattr(window, "menus", None)
    known = menus.get(title) if isinstance(menus, dict) else None
    return known if isinstance(known, QMenu) else find_menu(window, title)
