"""``python -m atelier.toolkit [train|serve]``: the ``train`` command (the default), or ``serve``."""

import sys

from .cli import toolkit_main

sys.exit(toolkit_main())
