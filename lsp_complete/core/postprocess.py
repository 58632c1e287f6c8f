"""Cleaning a model's raw answer into text that can be inserted at the cursor (pure).

Rules and their origin (peers.md): stop at the end of the block the cursor is in (Copilot's block
trimmer, Tabby's limitScope); drop an echo of the line before the cursor (Continue's lineIsRepeated) and
repetition loops (Continue stops at repeated lines, Tabby drops lines ending in a repeated unit); never
close a bracket that the rest of the line already closes (the most reported quality bug: ``def f(x):)``,
llm-vscode#128, continue#3200); and drop an answer that only repeats the text after the cursor.
"""

from __future__ import annotations

import re

_CLOSERS = frozenset(")]}>\"'`;,")
_OPEN = {"(": ")", "[": "]", "{": "}"}
_SHUT = frozenset(")]}")
_CONTINUATIONS = ("else", "elif", "except", "finally", "catch")
_LINE_END_REPEATS = ((3, 40, 5), (10, 80, 3))  # unit sizes and repeat count of a looping line end
_NAME = re.compile(r"[^\W\d]")


def limit_lines(text: str, max_lines: int) -> str:
    """At most ``max_lines`` lines of ``text`` (the first line is the rest of the cursor's line)."""
    lines = text.split("\n")
    return "\n".join(lines[:max_lines]) if len(lines) > max_lines else text


def complete_part(text: str, finished: bool) -> str:
    """The usable part of a stream: all of it when it finished, else only whole lines.

    A stream that died mid-line leaves a line whose end is unknown; inserting half a line is worse than
    inserting nothing, except for the cursor's own line when nothing else arrived.
    """
    if finished or "\n" not in text:
        return text if finished else ""
    return text[: text.rindex("\n")]


def strip_suffix_overlap(text: str, suffix: str) -> str:
    """Drop the end of a single-line ``text`` that repeats the closers already right of the cursor.

    ``foo(bar)`` proposed before an existing ``)`` becomes ``foo(bar``; only closing characters are
    trimmed, so real code that happens to equal the suffix is not lost by accident.
    """
    rest_of_line = suffix.split("\n", 1)[0]
    closers = ""
    for ch in rest_of_line:
        if ch in _CLOSERS or ch.isspace():
            closers += ch
        else:
            break
    closers = closers.rstrip()
    if not closers:
        return text
    last_line = text.rsplit("\n", 1)[-1]
    for size in range(len(closers), 0, -1):
        if last_line.endswith(closers[:size]):
            return text[: len(text) - size]
    return text


def drop_repeated_suffix_lines(text: str, suffix: str) -> str:
    """Cut the answer where it starts repeating the first non-blank line after the cursor's line.

    A short or bracket-only line (``}``, ``end``) must also have the same indentation: an inner block's
    ``}`` is not the outer ``}`` below the cursor.
    """
    following = (line for line in suffix.split("\n")[1:] if line.strip())
    anchor = next(following, None)
    if anchor is None or "\n" not in text:
        return text
    exact = not _meaningful(anchor)
    lines = text.split("\n")
    for index, line in enumerate(lines[1:], start=1):
        if (line.rstrip() == anchor.rstrip()) if exact else (line.strip() == anchor.strip()):
            return "\n".join(lines[:index]).rstrip()
    return text


def code_brackets(line: str) -> list[tuple[int, str]]:
    """(position, bracket) of the brackets of one line outside strings and ``#``/``//`` comments.

    String state does not carry over lines: an unterminated quote hides the rest of its line only.
    """
    found: list[tuple[int, str]] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch in "'\"`":
            end = i + 1
            while end < n and line[end] != ch:
                end += 2 if line[end] == "\\" else 1
            i = end + 1
            continue
        if line.startswith("//", i) or (ch == "#" and (i + 1 == n or line[i + 1] in " !\t")):
            break
        if ch in _OPEN or ch in _SHUT:
            found.append((i, ch))
        i += 1
    return found


def _walk(line: str, depth: int) -> tuple[int, int]:
    """Depth after ``line`` starting at ``depth``, and the lowest depth reached on the way."""
    low = depth
    for _, ch in code_brackets(line):
        depth += 1 if ch in _OPEN else -1
        low = min(low, depth)
    return depth, low


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _cut(lines: list[str], end: int) -> str:
    """The first ``end`` lines without trailing blank lines."""
    while end > 1 and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[:end])


def stop_at_block_end(text: str, prefix: str) -> str:
    """Cut a multi-line answer where it leaves the block the cursor is in.

    A line indented less than the cursor's line leaves the enclosing block: the answer stops before it
    (a line of only closing brackets is kept, since it closes what the prefix opened). When the cursor's
    line opens a block (an unclosed bracket, or a trailing ``:``), the answer stops after the line that
    closes that bracket, or before the next line indented no deeper than the cursor's line (``else``,
    ``elif``, ``except``, ``finally`` and ``catch`` continue the same statement).
    """
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    cursor_line = prefix[prefix.rfind("\n") + 1 :]
    base = _indent(cursor_line) if cursor_line.strip() else len(cursor_line)
    first = cursor_line + lines[0]
    depth, low = _walk(first, 0)
    bracket_block = depth > low
    colon_block = not bracket_block and first.rstrip().endswith(":")
    for i in range(1, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        stripped, indent = line.strip(), _indent(line)
        if indent < base:
            if not stripped.lstrip(")]}").strip(";, "):  # only closers: keep it, then stop
                return _cut(lines, i + 1)
            return _cut(lines, i)
        if colon_block and indent <= base and not stripped.startswith(_CONTINUATIONS):
            return _cut(lines, i)
        depth, _ = _walk(line, depth)
        if bracket_block and depth <= low:
            return _cut(lines, i + 1)
    return text


def _meaningful(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 4 and bool(_NAME.search(stripped))


def drop_previous_line_echo(text: str, prefix: str) -> str:
    """Remove a first line that repeats the line before the cursor's (models often echo it).

    At the start of a line the echoed line is dropped and the next line moves up to the cursor; in the
    middle of a line an answer that just rebuilds the previous line is dropped whole.
    """
    head, _, cursor_line = prefix.rpartition("\n")
    previous = head[head.rfind("\n") + 1 :]
    if not _meaningful(previous):
        return text
    lines = text.split("\n")
    if (cursor_line + lines[0]).strip() != previous.strip():
        return text
    if cursor_line.strip() or len(lines) == 1:
        return ""
    rest = lines[1:]
    rest[0] = rest[0][len(cursor_line) :] if rest[0].startswith(cursor_line) else rest[0].lstrip()
    return "\n".join(rest)


def _line_end_repeats(line: str) -> bool:
    tail = line.rstrip()
    for shortest, longest, times in _LINE_END_REPEATS:
        for size in range(shortest, min(longest, len(tail) // times) + 1):
            unit = tail[-size:]
            if tail.endswith(unit * times) and _NAME.search(unit):
                return True
    return False


def drop_repetition(text: str) -> str:
    """Cut a repetition loop: a line ending in one unit repeated (5 x 3+ chars, 3 x 10+ chars), the
    second of two equal consecutive non-blank lines, or the second of three equal consecutive blocks of
    2-4 lines. Everything from the repetition on goes; a loop on the first line leaves nothing."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _line_end_repeats(line):
            return _cut(lines, i) if i else ""
        if i and line.strip() and line.rstrip() == lines[i - 1].rstrip():
            return _cut(lines, i)
        for size in (2, 3, 4):
            block = lines[i - size : i] if i >= size else None
            if (
                block
                and any(s.strip() for s in block)
                and lines[i : i + size] == block == lines[i + size : i + 2 * size]
            ):
                return _cut(lines, i)
    return text


def _excess_closers(text: str) -> list[tuple[int, str]]:
    """(offset, closer) of the closers in ``text`` that close brackets opened before it."""
    excess: list[tuple[int, str]] = []
    depth, offset = 0, 0
    for line in text.split("\n"):
        for pos, ch in code_brackets(line):
            if ch in _OPEN:
                depth += 1
            elif depth:
                depth -= 1
            else:
                excess.append((offset + pos, ch))
        offset += len(line) + 1
    return excess


def _open_brackets(prefix: str, lines: int = 50) -> int:
    """How many brackets the last ``lines`` lines of ``prefix`` leave open."""
    cut = len(prefix)
    for _ in range(lines):
        cut = prefix.rfind("\n", 0, cut)
        if cut < 0:
            break
    depth = 0
    for line in prefix[cut + 1 :].split("\n"):
        for _, ch in code_brackets(line):
            depth = depth + 1 if ch in _OPEN else max(depth - 1, 0)
    return depth


def trim_closers_before_suffix(text: str, suffix: str, prefix: str | None = None) -> str:
    """Cut the answer at its first closer of a bracket opened before the cursor when the rest of the
    cursor's line closes that same bracket: ``x):`` before ``)`` becomes ``x``, ``a, b) {`` before
    ``) {`` becomes ``a, b``. Plain insertion cannot both keep and replace the suffix's closer.

    With ``prefix``, answers whose closers and the suffix's together close no more than the prefix
    left open are kept (``x), y`` after ``foo(bar(`` and before ``)``).
    """
    wanted = _excess_closers(suffix.split("\n", 1)[0])
    if not wanted:
        return text
    mine = _excess_closers(text)
    if not mine or mine[0][1] != wanted[0][1]:
        return text
    if prefix is not None and len(mine) + len(wanted) <= _open_brackets(prefix):
        return text
    kept = text[: mine[0][0]]
    last = kept[kept.rfind("\n") + 1 :]
    return kept.rstrip(" \t") if last.strip() else kept


def echoes_suffix(text: str, suffix: str) -> bool:
    """Whether ``text`` only repeats what already follows the cursor (whole lines of it)."""
    body = text.rstrip()
    if not body.strip():
        return False
    if suffix.startswith(body) and not suffix[len(body) :].split("\n", 1)[0].strip():
        return True
    return "\n" not in body and body.strip() == suffix.split("\n", 1)[0].strip()


def clean(raw: str, suffix: str, max_lines: int, finished: bool = True, prefix: str | None = None) -> str:
    """The whole cleaning pipeline; an empty string means there is nothing worth showing.

    ``prefix`` (the text before the cursor; its last 50 lines are enough) enables the rules that need
    it: the block end, the echo of the previous line, and brackets the prefix left open.
    """
    text = complete_part(raw.replace("\r\n", "\n"), finished)
    if prefix is not None:
        text = drop_previous_line_echo(text, prefix)
    text = drop_repetition(text)
    if prefix is not None:
        text = stop_at_block_end(text, prefix)
    text = limit_lines(text, max_lines)
    text = drop_repeated_suffix_lines(text, suffix)
    text = "\n".join(line.rstrip() for line in text.split("\n")) if "\n" in text else text
    text = trim_closers_before_suffix(text, suffix, prefix)
    text = strip_suffix_overlap(text, suffix)
    return "" if not text.strip() or echoes_suffix(text, suffix) else text
