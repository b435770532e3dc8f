"""``python -m betastate``."""

import sys

from betastate._cli.main import main


sys.exit(main())
