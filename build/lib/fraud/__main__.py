"""`python -m fraud ...`"""

import sys

from fraud.cli import main

sys.exit(main())
