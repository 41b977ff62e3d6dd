"""`python -m backprop_gui` does what the `backprop-gui` command does."""

import sys

from backprop_gui.cli import main

sys.exit(main())
