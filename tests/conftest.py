"""Test set-up shared by every test: Qt runs offscreen, so a plain `pytest` works anywhere."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
