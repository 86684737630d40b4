import sys

from vires_repo.cli import main

sys.exit(main())
