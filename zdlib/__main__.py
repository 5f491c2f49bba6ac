import sys

from zdlib.cli import main

sys.exit(main())
