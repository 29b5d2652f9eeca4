"""newsarc: a command-line archive for raw news feeds."""

__version__ = "0.1.0"
