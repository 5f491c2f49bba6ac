"""Text for a terminal: what a server or a value says is shown, never obeyed.

An error description can hold carriage returns, ANSI escape sequences (colours, cursor moves, OSC-8 links)
or Unicode bidirectional overrides that redraw what the operator reads (a fake `outcome: applied`). The
`zdlib` command writes through `SafeStream`, which shows such characters as visible escapes.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

#: C0 and C1 controls except tab and newline, DEL, and the bidi embedding/override/isolate characters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` with every terminal control character shown as an escape (`\\x1b`, `\\u202e`)."""
    return _UNSAFE.sub(lambda m: repr(m.group(0))[1:-1], text)


def inert_json(text: str) -> str:
    """JSON text with every terminal control character `json` leaves as is (C1, DEL, bidi) written as a
    `\\uXXXX` escape: the same JSON value, nothing a terminal obeys, and nothing `SafeStream` must rewrite
    (its escapes would not be JSON). Control characters occur only inside JSON strings, so this is safe."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


class SafeStream:
    """A text stream that writes `visible(text)`; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(visible(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
