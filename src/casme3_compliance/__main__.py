"""`python -m casme3_compliance` runs the `casme3` command."""

import sys

from casme3_compliance.cli import main

sys.exit(main())
