"""Errors that reach the user, and the exit codes they map to (see CLI.md)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; scripts depend on these numbers."""

    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    BAD_INPUT = 4
    INTERRUPTED = 130


class NewsarcError(Exception):
    """An error with a one-line message for stderr and an exit code."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(NewsarcError):
    """The user asked for something malformed: a bad flag value, a bad raw query, a bad date."""

    exit_code = ExitCode.USAGE


class NotFound(NewsarcError):
    """An id, a file or the archive itself does not exist."""

    exit_code = ExitCode.NOT_FOUND


class BadInput(NewsarcError):
    """Input that cannot be ingested: not text, undecodable, unreadable."""

    exit_code = ExitCode.BAD_INPUT
