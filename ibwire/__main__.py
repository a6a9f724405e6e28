"""``python -m ibwire``: the ``ibwire`` command, where its script is not installed."""

import sys

from .cli import main

sys.exit(main())
