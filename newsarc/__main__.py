"""Allow ``python -m newsarc``."""

from newsarc.cli import main

main()
