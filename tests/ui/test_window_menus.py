"""The window's menus: each feature fills the menu it is given, in menu-bar order, and every menu,
submenus included, is reachable from the menu bar (presentation mode enlarges them all)."""

from PySide6.QtWidgets import QMainWindow, QMenu

from backprop_gui.ui.common.window_menus import menu_tree


def test_the_menu_tree_holds_every_menu_once_in_menu_order(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    file_menu = window.menuBar().addMenu("&File")
    recent = file_menu.addMenu("Open &Recent")
    view = window.menuBar().addMenu("&View")
    theme = view.addMenu("&Theme")
    view.addMenu(recent)  # shared: listed once
    window.menuBar().addAction("&About")  # an item without a menu
    assert menu_tree(window) == [file_menu, view, recent, theme]


def test_each_feature_fills_the_menu_it_is_given(window):
    titles = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert titles == ["File", "Edit", "Step", "View", "Train", "Debug", "Help"]
    assert all(window.menus[title].actions() for title in titles)  # none left empty
    submenus = {menu.title().replace("&", "") for menu in menu_tree(window)}
    assert {"Export", "Import", "Open Example", "Open Recent", "Layout", "Theme", "Training panels"} <= submenus
    everywhere = [menu for menu in window.findChildren(QMenu) if menu.title()]
    assert set(everywhere) == set(menu_tree(window))
