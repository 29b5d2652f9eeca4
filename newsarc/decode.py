"""Bytes to text lines: encoding, BOM, line ends, odd spaces and mojibake, streamed.

Line numbers follow CLI.md: count after decoding, dropping a BOM, splitting on "\\n" and
stripping a trailing "\\r" (an old-Mac file whose sample has "\\r" but no "\\n" splits on "\\r").

A feed that looks like UTF-8 but has a few lines that are not (two sources pasted together) keeps
going: such a line is decoded as cp1252 and counted in ``Feed.fallback_lines``, rather than
failing a long ingest near its end. In a legacy-encoded feed a line that does not decode is tried
as UTF-8 first. Only a forced ``--encoding`` is strict, because then the user has told us what
the bytes are.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Iterator
from types import TracebackType
from typing import BinaryIO, NamedTuple

from newsarc.errors import BadInput, NotFound, UsageError
from newsarc.models import Line

SAMPLE_SIZE = 64 * 1024  # bytes read up front to decide the encoding
CHUNK_SIZE = 1024 * 1024  # bytes read per step after that

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_DECOMPRESS = "; decompress it first"
_MAGIC: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((b"\x1f\x8b",), "gzip data" + _DECOMPRESS),
    ((b"PK\x03\x04", b"PK\x05\x06"), "zip archive" + _DECOMPRESS),
    (tuple(b"BZh%d1AY&SY" % n for n in range(1, 10)), "bzip2 data" + _DECOMPRESS),
    ((b"\xfd7zXZ\x00",), "xz data" + _DECOMPRESS),
    ((b"\x28\xb5\x2f\xfd",), "zstd data" + _DECOMPRESS),
    ((b"7z\xbc\xaf\x27\x1c",), "7z archive" + _DECOMPRESS),
    ((b"%PDF-",), "PDF document"),
    ((b"\x89PNG\r\n\x1a\n",), "PNG image"),
    ((b"\xff\xd8\xff",), "JPEG image"),
    ((b"GIF87a", b"GIF89a"), "GIF image"),
    ((b"\x7fELF",), "executable"),
    ((b"SQLite format 3\x00",), "SQLite database"),
)
# Control bytes that text does not contain (tab, line feed, CR and form feed it does).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f") + b"\x7f"

# Languages whose legacy code pages (cp1250, cp1257, cp1254) differ from cp1252 in letters;
# for anything else a tie between cp1252 and those pages goes to cp1252 (the common case).
_NOT_CP1252_LANGUAGES = frozenset(
    {"Czech", "Polish", "Hungarian", "Slovak", "Slovene", "Croatian", "Romanian",
     "Lithuanian", "Latvian", "Estonian", "Turkish"}
)  # fmt: skip
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "iso8859-1": "cp1252", "ascii": "utf-8"}

# --- normalisation tables -------------------------------------------------------------------

_ASCII_SPACES = ("\t", "\x0b", "\x0c", "\r")
_WIDE_SPACES = ("\u00a0", "\u202f", "\u2007")
_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u2060")

# cp1252 for every byte, with the five bytes cp1252 leaves undefined read as latin-1 does.
_CP1252_LENIENT = "".join(
    bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)
)
_C1_TO_CP1252 = {b: _CP1252_LENIENT[b] for b in range(0x80, 0xA0)}
_CP1252_TO_LATIN1 = {ord(_CP1252_LENIENT[b]): chr(b) for b in range(0x80, 0xA0)}

# Mojibake: UTF-8 bytes shown through cp1252 (or latin-1): a lead byte as Â-ô, then
# continuation bytes as €‚ƒ„…‘’“”•–—˜™ etc., NBSP and ¡-¿ (or as C1 controls).
_CONT = re.escape("".join(sorted({_CP1252_LENIENT[b] for b in range(0x80, 0xC0)}
                                 | {chr(b) for b in range(0x80, 0xC0)})))  # fmt: skip
_ONE_CHAR = f"[\u00c2-\u00df][{_CONT}]|[\u00e0-\u00ef][{_CONT}]{{2}}|[\u00f0-\u00f4][{_CONT}]{{3}}"
# What any mojibake looks like once re-encoded as UTF-8: a lead character (U+00C2-U+00F4 is
# C3 xx) then a continuation character (C2 xx, or cp1252 punctuation: C5, C6, CB, E2 ...).
# A literal first byte lets re skip ahead fast; the str pattern cannot.
_MOJIBAKE_UTF8_HINT = re.compile(rb"\xc3[\x82-\xb4][\xc2\xc5\xc6\xcb\xe2]")
_MULTIBYTE_LEGACY = ("big5", "cp950", "gb", "hz", "shift_jis", "cp932", "euc", "cp949", "johab")


class _Mojibake(NamedTuple):
    run: re.Pattern[str]  # one or more mis-read characters in a row
    one: re.Pattern[str]  # exactly one
    implausible: re.Pattern[str]  # repairs producing these were likely real text


@functools.cache
def _mojibake() -> _Mojibake:
    """The big mojibake patterns, compiled on first use so `newsarc --help` does not pay."""
    return _Mojibake(
        run=re.compile(f"(?:{_ONE_CHAR})+"),
        one=re.compile(_ONE_CHAR),
        # German "ß“" would become U+07D3 NKo; C1 controls and private use are no better.
        implausible=re.compile("[\u0080-\u009f\u0591-\u05af\u0700-\u08ff\ue000-\uf8ff]"),
    )


def _unmojibake(segment: str) -> str:
    """Undo one cp1252/latin-1 misreading of UTF-8, or return the segment if it was real text."""
    try:
        fixed = segment.translate(_CP1252_TO_LATIN1).encode("latin-1").decode("utf-8")
    except UnicodeError:
        return segment
    if _mojibake().implausible.search(fixed) or any(unicodedata.category(c) == "Cn" for c in fixed):
        return segment
    return fixed


def _repair_match(match: re.Match[str]) -> str:
    """Repair a run of mojibake; if the run does not decode as a whole, repair its pieces."""
    run = match.group()
    fixed = _unmojibake(run)
    if fixed == run and len(run) > 2:
        fixed = _mojibake().one.sub(lambda m: _unmojibake(m.group()), run)
    return fixed


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252 upstream (cafÃ© → café), twice over for double encoding."""
    for _ in range(3):
        fixed = _mojibake().run.sub(_repair_match, text)
        if fixed == text:
            break
        text = fixed
    return text


def _clean_block(text: str, maybe_mojibake: bool = True) -> tuple[list[str], int]:
    """Normalise complete lines joined by "\\n" in one pass; return the lines and repairs made.

    Working on a block rather than per line keeps the per-line Python cost to one rstrip.
    """
    repaired = 0
    if text.isascii():
        for ch in _ASCII_SPACES:
            if ch in text:
                text = text.replace(ch, " ")
        return [line.rstrip() for line in text.split("\n")], 0
    # Repair before NBSP handling: "Â\xa0" is a mis-read NBSP.
    if maybe_mojibake and (mojibake := _mojibake().run).search(text):
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if mojibake.search(line):
                fixed = repair_mojibake(line)
                if fixed != line:
                    lines[i] = fixed
                    repaired += 1
        text = "\n".join(lines)
    for ch in _ASCII_SPACES + _WIDE_SPACES:
        if ch in text:
            text = text.replace(ch, " ")
    for ch in _ZERO_WIDTH:
        if ch in text:
            text = text.replace(ch, "")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return [line.rstrip() for line in text.split("\n")], repaired


def normalise_line(text: str) -> str:
    """One line as Line.text holds it, for callers outside a feed (tests, pasted text)."""
    lines, _ = _clean_block(text.replace("\n", " "))
    return lines[0]


# --- the feed -------------------------------------------------------------------------------


class Feed:
    """An open feed whose encoding is already decided, so bad input fails before any line."""

    name: str
    encoding: str
    size: int | None
    bytes_read: int
    repaired: int
    fallback_lines: int  # lines that were not in `encoding` and were decoded another way

    def __init__(
        self,
        name: str,
        stream: BinaryIO,
        *,
        owns: bool,
        size: int | None,
        sample: bytes,
        at_eof: bool,
        encoding: str,
        forced: bool,
        cr_mode: bool,
    ) -> None:
        self.name = name
        self.encoding = encoding
        self.size = size
        self.bytes_read = 0
        self.repaired = 0
        self.fallback_lines = 0
        self._stream = stream
        self._owns = owns
        self._sample = sample
        self._at_eof = at_eof
        self._forced = forced
        self._cr_mode = cr_mode
        self._consumed = 0
        self._started = False
        # UTF-16/32 and stateful codecs cannot be split on b"\n": transcode them to UTF-8 first.
        self._transcode = not _splits_on_newline_byte(encoding)
        self._codec = "utf-8" if self._transcode or encoding == "utf-8-sig" else encoding
        # Drop a UTF-8 BOM as bytes, so a file holding only a BOM has no lines at all.
        bom = encoding == "utf-8-sig" and sample.startswith(codecs.BOM_UTF8)
        self._skip = len(codecs.BOM_UTF8) if bom else 0

    def __enter__(self) -> Feed:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file if we opened it; stdin belongs to the caller."""
        if self._owns:
            self._stream.close()

    def lines(self) -> Iterator[Line]:
        """Yield the feed's lines in order, reading a chunk at a time (memory ~ longest line)."""
        if self._started:
            raise RuntimeError("Feed.lines() can be read only once")
        self._started = True
        number = 0
        offset = self._skip  # offset in the (possibly transcoded) byte stream of the pending line
        parts: list[bytes] = []  # pieces of a line whose end has not been read yet
        skip_lf = False  # CR mode: the last chunk ended in "\r", so a leading "\n" is its pair
        for chunk in self._utf8_chunks():
            if skip_lf and chunk:
                skip_lf = False
                if chunk[0] == 0x0A:
                    chunk = chunk[1:]
                    offset += 1
            if not chunk:
                continue
            end = chunk.rfind(b"\n")
            if self._cr_mode:
                end = max(end, chunk.rfind(b"\r"))
                skip_lf = chunk[-1] == 0x0D
            if end < 0:
                parts.append(chunk)
                continue
            head = chunk[: end + 1]
            if parts:
                parts.append(head)
                head = b"".join(parts)
                parts = []
            if end + 1 < len(chunk):
                parts.append(chunk[end + 1 :])
            texts = self._decode_block(head, offset)
            offset += len(head)
            texts.pop()  # what follows the last separator: nothing, the rest is in `parts`
            self.bytes_read = self._consumed
            for text in texts:
                number += 1
                yield Line(number, text)
        if parts:
            for text in self._decode_block(b"".join(parts), offset):
                number += 1
                yield Line(number, text)
        self.bytes_read = self._consumed

    def _raw_chunks(self) -> Iterator[bytes]:
        """The sample already read, then the rest of the stream a chunk at a time."""
        sample, self._sample = self._sample, b""
        self._consumed = len(sample)
        yield sample[self._skip :]
        if self._at_eof:
            return
        while data := _read(self._stream, CHUNK_SIZE, self.name):
            self._consumed += len(data)
            yield data

    def _utf8_chunks(self) -> Iterator[bytes]:
        """Chunks whose lines split on b"\\n": the raw bytes, or UTF-16/32 re-encoded as UTF-8."""
        if not self._transcode:
            yield from self._raw_chunks()
            return
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="strict")
        at = 0
        for raw in self._raw_chunks():
            try:
                text = decoder.decode(raw, final=False)
            except UnicodeDecodeError as err:
                raise self._undecodable(at + err.start) from None
            at += len(raw)
            yield text.encode("utf-8", errors="replace")
        try:
            yield decoder.decode(b"", final=True).encode("utf-8", errors="replace")
        except UnicodeDecodeError:
            raise self._undecodable(at) from None

    def _decode_block(self, data: bytes, offset: int) -> list[str]:
        """Decode and clean whole lines; fall back line by line only when the block fails."""
        if self._cr_mode:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        try:
            text = data.decode(self._codec)
        except UnicodeDecodeError:
            text = "\n".join(self._decode_lines(data, offset))
            maybe_mojibake = True
        else:
            maybe_mojibake = _may_hold_mojibake(data, self._codec)
        lines, repaired = _clean_block(text, maybe_mojibake)
        self.repaired += repaired
        return lines

    def _decode_lines(self, data: bytes, offset: int) -> Iterator[str]:
        """Decode a block line by line so one bad line costs that line, not the feed."""
        for raw in data.split(b"\n"):
            try:
                yield raw.decode(self._codec)
            except UnicodeDecodeError as err:
                if self._forced:
                    raise self._undecodable(offset + err.start) from None
                self.fallback_lines += 1
                yield _decode_fallback(raw, self._codec)
            offset += len(raw) + 1

    def _undecodable(self, at: int) -> BadInput:
        """The error for bytes that are not in the encoding we were told or found."""
        hint = "pass the right --encoding" if self._forced else "pass --encoding"
        return BadInput(f"{self.name}: not valid {self.encoding} at byte {at}; {hint}")


def _may_hold_mojibake(data: bytes, codec: str) -> bool:
    """A fast test on the raw bytes so clean blocks skip the slow mojibake regex."""
    if codec == "utf-8":
        return _MOJIBAKE_UTF8_HINT.search(data) is not None
    if codec.startswith(_MULTIBYTE_LEGACY):
        return False  # these cannot even encode the Latin-1 letters mojibake is made of
    # Single-byte code pages: mojibake there is UTF-8 bytes that were kept as they were.
    return not data.decode("utf-8", errors="ignore").isascii()


def _decode_fallback(raw: bytes, codec: str) -> str:
    """Best guess for a line that is not in the feed's encoding: a pasted-in other source."""
    if codec != "utf-8":
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            if codec != "cp1252":
                return raw.decode(codec, errors="replace")
    return raw.decode("latin-1").translate(_C1_TO_CP1252)


def _splits_on_newline_byte(encoding: str) -> bool:
    """Whether byte 0x0A is always a line feed in this encoding (ASCII-compatible, stateless)."""
    if encoding == "utf-8-sig":
        return True
    if encoding.startswith(("utf-16", "utf-32", "utf-7", "iso2022", "hz")):
        return False
    try:
        return "\n\r".encode(encoding) == b"\n\r"
    except UnicodeError:
        return False


# --- opening and sniffing -------------------------------------------------------------------


def open_feed(path: str, *, encoding: str | None = None, stdin: BinaryIO | None = None) -> Feed:
    """Open a feed and decide its encoding now, so a bad file fails before anything is stored."""
    name = "<stdin>" if path == "-" else path
    forced = _lookup_encoding(encoding, name) if encoding is not None else None
    size: int | None = None
    if path == "-":
        if stdin is None and sys.stdin is None:  # started with stdin closed
            raise BadInput("<stdin>: no standard input to read; name a file instead")
        stream = stdin if stdin is not None else sys.stdin.buffer
        owns = False
    else:
        stream = _open(path)
        owns = True
        try:
            info = os.fstat(stream.fileno())
        except OSError:
            info = None
        if info is not None and stat.S_ISREG(info.st_mode):
            size = info.st_size
    try:
        sample, at_eof = _read_sample(stream, name)
        chosen, cr_mode = _decide(sample, at_eof, name, forced)
    except BaseException:
        if owns:
            stream.close()
        raise
    return Feed(
        name,
        stream,
        owns=owns,
        size=size,
        sample=sample,
        at_eof=at_eof,
        encoding=chosen,
        forced=forced is not None,
        cr_mode=cr_mode,
    )


def _lookup_encoding(encoding: str, name: str) -> str:
    """Canonical codec name for --encoding, refusing names Python does not know as text."""
    try:
        canonical = codecs.lookup(encoding).name
        "".encode(canonical)  # rejects bytes-to-bytes codecs such as base64
    except LookupError:  # a bad --encoding value is the user's typo, not the file's fault
        raise UsageError(
            f"{name}: unknown encoding {encoding!r}; try utf-8, cp1252, big5, gb18030, "
            "shift_jis or euc_kr"
        ) from None
    return canonical


def _open(path: str) -> BinaryIO:
    """Open for reading, turning OS errors into one line that names the file."""
    try:
        return open(path, "rb")  # Feed.close() closes it
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file") from None
    except IsADirectoryError:
        raise NotFound(f"{path} is a directory") from None
    except PermissionError:
        raise NotFound(f"{path}: permission denied") from None
    except OSError as err:
        raise BadInput(f"{path}: cannot read ({err.strerror or err})") from None


def _read(stream: BinaryIO, size: int, name: str) -> bytes:
    """One read, with an unreadable file reported as bad input rather than a traceback."""
    try:
        return stream.read(size)
    except IsADirectoryError:
        raise NotFound(f"{name} is a directory") from None
    except OSError as err:
        raise BadInput(f"{name}: cannot read ({err.strerror or err})") from None


def _read_sample(stream: BinaryIO, name: str) -> tuple[bytes, bool]:
    """The first SAMPLE_SIZE bytes (pipes may return less per read) and whether that is all."""
    pieces: list[bytes] = []
    have = 0
    while have < SAMPLE_SIZE:
        data = _read(stream, SAMPLE_SIZE - have, name)
        if not data:
            return b"".join(pieces), True
        pieces.append(data)
        have += len(data)
    return b"".join(pieces), False


def _decide(sample: bytes, at_eof: bool, name: str, forced: str | None) -> tuple[str, bool]:
    """Pick the encoding (BOM, then UTF-8, then detection) and whether lines end in lone CR."""
    if forced is not None:
        if _splits_on_newline_byte(forced):
            _refuse_binary(sample, name)
        text = _try_decode(sample, forced, at_eof)
        if text is None:
            raise BadInput(f"{name}: not valid {forced}; pass the right --encoding")
        return forced, _is_cr_only(text)
    for bom, bom_encoding in _BOMS:
        if sample.startswith(bom):
            text = _try_decode(sample, bom_encoding, at_eof)
            if text is None and bom_encoding == "utf-32":
                continue  # FF FE 00 00 may be a UTF-16 BOM and a NUL character
            if text is None and bom_encoding != "utf-8-sig":
                raise BadInput(f"{name}: starts like {bom_encoding} but is not; pass --encoding")
            return bom_encoding, _is_cr_only(text or sample.decode("latin-1"))
    _refuse_binary(sample, name)
    utf8, legacy_lines = _looks_utf8(sample, at_eof)
    if utf8:
        chosen = "utf-8"
    else:
        detected = _detect(legacy_lines)
        if detected is None:
            raise BadInput(f"{name}: cannot tell its encoding; pass --encoding (e.g. cp1252)")
        chosen = detected
    text = _try_decode(sample, chosen, at_eof) or sample.decode("latin-1")
    return chosen, _is_cr_only(text)


def _is_cr_only(text: str) -> bool:
    """Old Mac files end lines in "\\r" alone; anything with a "\\n" is split on "\\n"."""
    return "\r" in text and "\n" not in text


def _try_decode(sample: bytes, encoding: str, at_eof: bool) -> str | None:
    """The sample as text, allowing a character cut at the sample's end, or None."""
    try:
        return codecs.getincrementaldecoder(encoding)(errors="strict").decode(sample, at_eof)
    except UnicodeDecodeError:
        return None


def _refuse_binary(sample: bytes, name: str) -> None:
    """Stop at files that are not text before they turn into garbage stories."""
    for prefixes, what in _MAGIC:
        if sample.startswith(prefixes):
            raise BadInput(f"{name} is not text ({what})")
    if sample.startswith(b"RIFF") and sample[8:12] in (b"WAVE", b"AVI ", b"WEBP", b"RMID"):
        raise BadInput(f"{name} is not text (RIFF media file)")  # not a line opening "RIFF"
    if b"\x00" in sample:
        raise BadInput(f"{name} is not text (contains NUL bytes)")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls * 10 > len(sample):
        raise BadInput(f"{name} is not text (binary data)")


def _looks_utf8(sample: bytes, at_eof: bool) -> tuple[bool, bytes]:
    """UTF-8 if the sample decodes, or if most of its non-ASCII lines do (mixed sources).

    Also returns the sample without its UTF-8 lines: the other source's encoding is easier
    to detect without them.
    """
    if _try_decode(sample, "utf-8", at_eof) is not None:
        return True, b""
    lines = sample.split(b"\n")
    if not at_eof and len(lines) > 1:
        lines.pop()  # may be cut mid-character
    good = bad = 0
    rest: list[bytes] = []
    for raw in lines:
        if not raw.isascii():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                bad += 1
            else:
                good += 1
                continue
        rest.append(raw)
    return good > bad, b"\n".join(rest)


def _detect(sample: bytes) -> str | None:
    """Guess a legacy encoding with charset-normalizer (imported here: it is slow to import)."""
    from charset_normalizer import from_bytes

    matches = from_bytes(sample)
    best = matches.best()
    if best is None:
        return None
    chosen: str = best.encoding
    if "cp1252" in best.could_be_from_charset:
        chosen = "cp1252"  # same text either way: name it by the common code page
    elif best.language not in _NOT_CP1252_LANGUAGES:
        for match in matches:
            if match.encoding == "cp1252" and match.chaos <= best.chaos + 0.02:
                chosen = "cp1252"
                break
    canonical = codecs.lookup(chosen).name
    return _SUPERSETS.get(canonical, canonical)
