"""Test set-up shared by every test: Qt runs offscreen, so a plain `pytest` works anywhere."""

import os
from pathlib import Path

# The offscreen platform with the screens of the layout matrix beside its usual 800×800 one.
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={Path(__file__).with_name('screens.json')}")

# CI runs the property tests on hypothesis's fixed examples, so a run is repeatable; elsewhere they
# explore new examples each time.
if os.environ.get("CI"):
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True)
    settings.load_profile("ci")
