"""``python -m atelier.toolkit``: the same as the ``train`` command."""

import sys

from .cli import main

sys.exit(main())
