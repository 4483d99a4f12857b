"""`python -m survey_app ...`"""

import sys

from survey_app.cli.main import main

sys.exit(main())
