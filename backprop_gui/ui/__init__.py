"""The Qt window, one package per feature.

``common`` is the bottom layer every feature may import (the Qt adapter of the session model,
colours, scrolling, the window's menus). ``stepping``, ``training``, ``sessions`` and
``diagnostics`` are the features, which never import each other. ``window`` sits on top and puts
them together.
"""
