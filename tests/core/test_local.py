"""lsp_complete.core.local: the offline completer, table-driven, plus its index upkeep and speed."""

from __future__ import annotations

import pytest

from lsp_complete.core.local import LocalIndex

CUR = "‸"  # the cursor in the texts below

PY_CLASS = "class A:\n    def __init__(self):\n        self.request_id = 1\n        self.name = 'x'\n"
PY_LOAD = "def load(self):\n    data = read()\n    return data\n\ndef other():\n    pass\n"
PY_LONG = "def build(self):\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n    e = 5\n"
PY_LOOP = "for item in items:\n    total += item.price\n    count += 1\nprint(total)\n"
LOAD_BODY = "\n        data = read()\n        return data"
JS_IF = "function g(err, cb) {\n  if (err) {\n    return cb(err);\n  }\n  cb(null);\n}\n"


@pytest.mark.parametrize(
    ("corpus", "text", "expected", "max_lines"),
    [
        # mid-word: the proposal continues the word
        ({"a.py": PY_CLASS}, "def f(self):\n    self.reque‸", "st_id = 1", 3),
        # a whole word typed: what followed it
        ({"a.py": "y = self.request_id + 1\n"}, "x = self.request_id‸", " + 1", 3),
        # after an operator, with and without the space typed
        ({"a.py": "timeout = config.get('timeout', 30)\n"}, "timeout = ‸", "config.get('timeout', 30)", 3),
        ({"a.py": "timeout = config.get('timeout', 30)\n"}, "timeout =‸", " config.get('timeout', 30)", 3),
        # whitespace does not matter for matching
        ({"a.py": "total=compute( a,b )\n"}, "total = compute(‸)", " a,b", 3),
        # cross-document, longest match wins over the same document
        ({"a.py": "self.a.b = 2\n", "cur.py": "a.b = 1\n"}, "a.b = 1\nself.a.b = ‸", "2", 3),
        # equal match: the same document wins over another one
        ({"a.py": "x = foo(1)\n"}, "x = foo(2)\nx = ‸", "foo(2)", 3),
        # equal match in the same document: the nearest occurrence wins
        ({}, "v = 1\n" + "pass\n" * 30 + "v = 2\nw = 0\nv = ‸", "2", 3),
        # no match at all
        ({"a.py": PY_CLASS}, "completely_unknown_identifier(‸", None, 3),
        # nothing follows the match on its line
        ({"a.py": "    return result\n"}, "def f():\n    return result‸", None, 3),
        # a match of punctuation only says too little
        ({"a.py": "a = (1, 2)\n"}, "b = (‸", None, 3),
        # the rest of the line is already there: overlap stripped
        ({"a.py": "print(compute(a, b))\n"}, "print(compute(‸))", "a, b", 3),
        ({"a.py": "foo(x)\n"}, "foo(x‸)", None, 3),  # the proposal is exactly the text right of the cursor
        ({"a.py": PY_CLASS}, "self.reque‸st_id", None, 3),  # cursor inside a word
        # blocks after ':' / '{', re-indented, stopping at a blank line, a dedent or max_lines
        ({"a.py": PY_LOAD}, "class B:\n    def load(self):‸", LOAD_BODY, 3),
        ({"a.py": PY_LONG}, "def build(self):‸", "\n    a = 1\n    b = 2\n    c = 3", 3),
        ({"a.py": PY_LONG}, "def build(self):‸", None, 1),
        ({"a.py": JS_IF}, "function f(err, cb) {\n  if (err) {‸", "\n    return cb(err);", 3),
        # on an empty line: the next lines of the block
        ({"a.py": PY_LOOP}, "for item in items:\n    ‸", "total += item.price\n    count += 1", 3),
        ({"a.py": PY_LOOP}, "for item in items:\n‸", "    total += item.price\n    count += 1", 3),
        ({"a.py": PY_LOOP}, "for item in items:\n    ‸", "total += item.price", 1),
        # a whole word typed wins over continuing it into a longer word
        ({"a.py": "self.request_ids.append(x)\nself.request_id = 1\n"}, "self.request_id‸", " = 1", 3),
        # CRLF files
        ({"a.py": "a = foo(1)\r\nb = 2\r\n"}, "a = ‸", "foo(1)", 3),
        ({}, "‸", None, 3),
        # non-ASCII identifiers
        ({"a.py": "größe = berechne(größe)\n"}, "größe = ber‸", "echne(größe)", 3),
    ],
)
def test_complete(corpus: dict[str, str], text: str, expected: str | None, max_lines: int) -> None:
    index = LocalIndex()
    for doc_id, source in corpus.items():
        index.update(doc_id, source)
    offset = text.index(CUR)
    current = text.replace(CUR, "")
    index.update("cur.py", current, is_open=True)  # fresh index: the cursor's own text must not be proposed
    assert index.complete("cur.py", current, offset, max_lines=max_lines) == expected
    if "\n" not in current[:offset] or "cur.py" in corpus:  # answers that do not rely on earlier lines
        index.update("cur.py", corpus.get("cur.py", ""))  # stale index: the current text still drives it
        assert index.complete("cur.py", current, offset, max_lines=max_lines) == expected


def test_current_text_is_used_before_the_cursor() -> None:
    index = LocalIndex()
    index.update("a.py", "result = compute(1)\n")
    index.update("cur.py", "zzz = 1\n")  # stale: the user has typed since
    assert index.complete("cur.py", "zzz = 1\nresult = comp", 21) == "ute(1)"
    assert index.complete("unindexed.py", "result = comp", 13) == "ute(1)"


def test_remove_and_reindex() -> None:
    index = LocalIndex()
    index.update("a.py", "alpha = beta(1)\n")
    assert index.complete("b.py", "alpha = ", 8) == "beta(1)"
    index.update("a.py", "alpha = gamma(2)\n")
    assert index.complete("b.py", "alpha = ", 8) == "gamma(2)"
    index.remove("a.py")
    index.remove("a.py")
    assert index.complete("b.py", "alpha = ", 8) is None
    assert index.size_bytes == 0 and "a.py" not in index


def test_eviction_keeps_open_documents_and_drops_the_oldest() -> None:
    index = LocalIndex(max_chars=100, max_doc_chars=60)
    index.update("open.py", "o" * 40, is_open=True)
    index.update("old.py", "a" * 30)
    index.update("new.py", "b" * 30)
    assert index.size_bytes == 100
    index.update("newer.py", "c" * 30)
    assert "old.py" not in index
    assert all(d in index for d in ("open.py", "new.py", "newer.py"))
    assert index.size_bytes == 100
    index.update("open.py", "o" * 50)  # None keeps the open mark
    assert "open.py" in index and "new.py" not in index
    index.update("huge.py", "h" * 61)
    assert "huge.py" not in index
    index.set_open("open.py", False)
    index.update("x.py", "x" * 60)
    assert "open.py" not in index and index.size_bytes <= 100


def test_open_documents_are_dropped_only_after_closed_ones_oldest_first() -> None:
    index = LocalIndex(max_chars=100, max_doc_chars=60)
    index.update("closed.py", "z" * 10)
    for name in ("o1.py", "o2.py", "o3.py"):
        index.update(name, name[1] * 30, is_open=True)
    assert index.size_bytes == 100 and "closed.py" in index
    index.update("o4.py", "4" * 30, is_open=True)  # 130 chars: the closed one goes, then the oldest open
    assert "closed.py" not in index and "o1.py" not in index
    assert all(d in index for d in ("o2.py", "o3.py", "o4.py")) and index.size_bytes == 90
    index.update("o2.py", "2" * 60)  # the document being updated is never the one dropped
    assert "o2.py" in index and "o3.py" not in index and index.size_bytes <= 100
