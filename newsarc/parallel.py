"""Decode and split a large feed in a child process, so storing overlaps splitting on two cores.

Splitting is pure Python and holds the GIL, so a thread cannot overlap it with the rest of an
ingest (dating, hashing, SQLite). A forked child can: it reads and splits the file and streams
stories back in small pickled batches while the parent stores the previous ones. The parent
owns the archive; the child never touches it, so every transaction promise stays in one place.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from datetime import date
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from newsarc.decode import open_feed
from newsarc.errors import NewsarcError
from newsarc.models import Story

# Below this size a child costs more than it saves.
MIN_BYTES = 1_000_000
_BATCH = 256


class SplitFeed:
    """Stories of one feed, with what ingest reports about the file (as decode.Feed has it)."""

    encoding: str
    size: int | None
    bytes_read: int
    repaired: int
    fallback_lines: int

    def __enter__(self) -> SplitFeed:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def stories(self) -> Iterator[Story]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class LocalSplit(SplitFeed):
    """Decode and split in this process: small files and stdin."""

    def __init__(self, path: str, encoding: str | None) -> None:
        self._feed = open_feed(path, encoding=encoding)
        self.encoding = self._feed.encoding
        self.size = self._feed.size
        self.bytes_read = 0
        self.repaired = 0
        self.fallback_lines = 0

    def stories(self) -> Iterator[Story]:
        from newsarc.segment import segment

        for story in segment(self._feed.lines()):
            self.bytes_read = self._feed.bytes_read
            yield story
        self.bytes_read = self._feed.bytes_read
        self.repaired = self._feed.repaired
        self.fallback_lines = self._feed.fallback_lines

    def close(self) -> None:
        self._feed.close()


class ChildSplit(SplitFeed):
    """Decode and split in a forked child that streams stories back through a pipe."""

    def __init__(self, path: str, encoding: str | None, mention_day: date | None) -> None:
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        sys.stdout.flush()  # a forked child must not inherit unwritten output
        sys.stderr.flush()
        self._process = context.Process(
            target=_child,
            args=(path, encoding, mention_day, send, receive),
            name="newsarc-split",
            daemon=True,
        )
        self._process.start()
        send.close()
        self._conn = receive
        self.bytes_read = 0
        self.repaired = 0
        self.fallback_lines = 0
        try:
            message = self._receive()
            if message[0] != "open":
                raise NewsarcError(f"{path}: the splitting process answered {message[0]!r}")
        except BaseException:
            self.close()  # no zombie child, no open pipe, for the next file
            raise
        _, self.encoding, self.size = message

    def _receive(self) -> tuple[Any, ...]:
        try:
            message: tuple[Any, ...] = self._conn.recv()
        except EOFError:
            raise NewsarcError("the splitting process stopped unexpectedly") from None
        if message[0] == "error":
            raise message[1]
        return message

    def stories(self) -> Iterator[Story]:
        while True:
            message = self._receive()
            if message[0] == "end":
                _, self.bytes_read, self.repaired, self.fallback_lines = message
                return
            _, batch, self.bytes_read = message
            yield from batch

    def close(self) -> None:
        self._conn.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


def split_feed(path: str, encoding: str | None, mention_day: date | None = None) -> SplitFeed:
    """The stories of a feed, split in a child process when the file is large enough.

    With ``mention_day`` the child also finds the days that every other story speaks of,
    which balances the work between the two processes; the rest come without them.
    """
    if path != "-" and _large(path) and "fork" in multiprocessing.get_all_start_methods():
        return ChildSplit(path, encoding, mention_day)
    return LocalSplit(path, encoding)


def _large(path: str) -> bool:
    try:
        return os.path.getsize(path) >= MIN_BYTES
    except OSError:
        return False  # let open_feed report the problem in the usual words


def _child(
    path: str,
    encoding: str | None,
    mention_day: date | None,
    conn: Connection,
    parents_end: Connection,
) -> None:
    """The child: Ctrl-C is the parent's to handle; any failure goes back as a message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Without this the pipe keeps a reader after the parent dies (kill -9), and the child
    # would wait on a full pipe forever instead of getting EPIPE and leaving.
    parents_end.close()
    try:
        from newsarc.dates import extract_mentions
        from newsarc.segment import segment

        with open_feed(path, encoding=encoding) as feed:
            conn.send(("open", feed.encoding, feed.size))
            batch: list[Story] = []
            for number, story in enumerate(segment(feed.lines())):
                # Half the stories: the parent dates the other half, so both cores stay busy.
                if mention_day is not None and number % 2:
                    story.mentions = extract_mentions(story.text, mention_day)
                batch.append(story)
                if len(batch) >= _BATCH:
                    conn.send(("stories", batch, feed.bytes_read))
                    batch = []
            conn.send(("stories", batch, feed.bytes_read))
            conn.send(("end", feed.bytes_read, feed.repaired, feed.fallback_lines))
    except NewsarcError as exc:
        _send_quietly(conn, ("error", exc))
    except BaseException as exc:  # reported by the parent as one line
        _send_quietly(conn, ("error", NewsarcError(f"splitting failed: {exc!r}")))
    finally:
        conn.close()
        os._exit(0)  # skip the inherited interpreter's clean-up and stdio flushing


def _send_quietly(conn: Connection, message: tuple[Any, ...]) -> None:
    try:
        conn.send(message)
    except OSError:
        pass  # the parent is gone (killed or interrupted): nobody to tell
