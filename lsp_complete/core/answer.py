"""Reading code out of a chat model's answer: fences, prose around code, a whole file instead of a region.

``code_of`` takes the answer apart; ``replacement_for`` turns it into the new text of the region that was
asked about. Both return an ``Unusable`` with a message for the user when the answer cannot be applied
safely (empty, prose only, cut off), and the caller shows the answer instead of applying it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lsp_complete.core.blocks import Region, content, split_lines

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
_OPEN_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n", re.MULTILINE)
# A sentence: words and spaces, ending like prose, with none of the punctuation code is made of.
_PROSE = re.compile(r"^\s*(?:[-*]\s+|\d+\.\s+)?[A-Z][\w'’,-]*(?:\s+[\w'’,()/-]+){2,}[.:!?]?\s*$")
_CODE_CHARS = re.compile(r"[{}\[\]=;<>]|\(\)|^\s*(?:#|//|/\*|\*|--|@)|\w\(|\)\s*:?\s*$")


@dataclass(frozen=True, slots=True)
class Unusable:
    """Why an answer cannot be applied; ``message`` is for the user."""

    message: str


def _looks_like_prose(line: str) -> bool:
    body = content(line)
    return bool(_PROSE.match(body)) and not _CODE_CHARS.search(body)


def code_of(answer: str) -> str | Unusable:
    """The code in ``answer``: the largest fenced block, else the answer minus its prose lines.

    An answer cut before its closing fence is refused (the code would be incomplete).
    """
    if not answer.strip():
        return Unusable("the model's answer was empty")
    blocks = [m.group(2) for m in _FENCE.finditer(answer)]
    if blocks:
        best = max(blocks, key=len)
        return best if best.strip() else Unusable("the model's answer had an empty code block")
    if _OPEN_FENCE.search(answer):
        return Unusable("the model's answer was cut off in the middle of its code block")
    lines = split_lines(answer)
    start, end = 0, len(lines)
    while start < end and (_looks_like_prose(lines[start]) or not content(lines[start]).strip()):
        start += 1
    while end > start and (_looks_like_prose(lines[end - 1]) or not content(lines[end - 1]).strip()):
        end -= 1
    code = lines[start:end]
    if not code or sum(_looks_like_prose(line) for line in code) * 2 > len(code):
        return Unusable("the model answered in prose, not code")
    return "".join(code)


def _min_indent(lines: Sequence[str]) -> str:
    bodies = [content(line) for line in lines if content(line).strip()]
    if not bodies:
        return ""
    indents = [b[: len(b) - len(b.lstrip(" \t"))] for b in bodies]
    return min(indents, key=len)


def _reindent(lines: list[str], wanted: str) -> list[str]:
    have = _min_indent(lines)
    if len(have) >= len(wanted) or not wanted.startswith(have):
        return lines
    extra = wanted[len(have) :]
    return [extra + line if content(line).strip() else line for line in lines]


def replacement_for(answer: str, doc_lines: Sequence[str], region: Region) -> str | Unusable:
    """The new text for ``doc_lines[region]`` from a model's answer.

    A whole-file answer (it starts with the lines above the region and ends with the lines below it) is
    cut down to the region. A region answer that lost the region's indentation gets it back.
    """
    code = code_of(answer)
    if isinstance(code, Unusable):
        return code
    lines = split_lines(code)
    old = [content(line).rstrip() for line in doc_lines]
    got = [content(line).rstrip() for line in lines]
    above, below = region.start, len(doc_lines) - region.end
    if (above or below) and len(got) >= above + below:
        head = 0
        while head < above and got[head] == old[head]:
            head += 1
        tail = 0
        while tail < below and got[len(got) - 1 - tail] == old[len(old) - 1 - tail]:
            tail += 1
        if head == above and tail == below:
            lines = lines[above : len(lines) - below]
    lines = _reindent(lines, _min_indent(doc_lines[region.start : region.end]))
    new = "".join(lines)
    if [content(x) for x in split_lines(new)] == [content(x) for x in doc_lines[region.start : region.end]]:
        return Unusable("the model suggested no change")
    return new
