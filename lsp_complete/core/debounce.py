"""How long to wait after a keystroke before asking a model, adapted to where the cursor is and how the
user types (pure; clocks are passed in as seconds).

The peers' numbers (shared/reference/peers.md):

- Copilot's clients wait 15 ms (copilot.vim, copilot.lua); its 2022 engine used 75 ms by default and a
  "predictive" 25-275 ms from a contextual score. Cody waits 75 ms, and its SmartThrottle fires start-of-line
  requests at once and tail requests after 25 ms. Continue waits a fixed 350 ms; minuet 400 ms; Tabby
  adapts 100-1000 ms from the average keystroke interval times a context factor (trigger char 0.5).
- A request is wasted when the user types the next character before the answer is shown: it is paid for
  and thrown away (minuet-ai.nvim#91). It is *fired* whenever no keystroke arrives within the delay.

So the delay is ``base_ms x factor``, floored during a burst by ``burst_factor`` x the rhythm, and clamped
to ``[min_ms, max_ms]`` (15-350 ms by default):

- ``factor`` from the text before the cursor: 0 at the start of a line or right after a newline (the user
  pauses there, Cody fires immediately -> ``min_ms``, Copilot's 15 ms); ``trigger_factor`` (1/3: 25 ms with
  the 75 ms base, Cody's tail) after a trigger character such as ``.``, ``(``, ``:``, ``,`` or after a
  keyword and a space; 1 in the middle of a word or expression.
- The rhythm is the exponential moving average of inter-keystroke intervals while the user is in a
  burst. Mid-burst the next key is due within it wherever the cursor is, so the delay is at least
  ``burst_factor`` (2.5) x that average in every context: someone typing a key every 120 ms waits 300 ms,
  and a request goes out when they actually pause. Gaps longer than ``pause_ms`` (1 s) are pauses, not
  rhythm: they do not enter the average (which is kept: the user goes on typing at their pace).
- Measured with ``benchmarks/bench_pipeline.py`` (lognormal typing around 120 ms): with 1.5 x the
  rhythm and context speed-ups inside bursts, 0.31 upstream requests per typed character (most aborted
  before their first token); the rhythm as a floor everywhere, 0.19; with 2 x, 0.11, pauses >= 500 ms
  still all served (quick runs). Full run: 0.22 before, 0.098 with the 2 x floor, 0.082 with the
  rhythm kept across pauses, 0.051 with 2.5 x (dollars per hour $0.365 -> $0.25, accepted characters
  491 -> 409, accepted characters per dollar 22,466 -> 27,549); pauses >= 500 ms served 87-88 % in
  all of them (naive 92-93 %).
"""

from __future__ import annotations

from cachetools import LRUCache

__all__ = ["TRIGGER_CHARACTERS", "DebouncePolicies", "DebouncePolicy"]

TRIGGER_CHARACTERS = frozenset(".([{:,=>@;")
"""Characters after which a suggestion is likely wanted (member access, calls, literals, bodies, args)."""

_KEYWORD_WORDS = (
    "return import from def class if elif while for in not and or await yield raise new const let var "
    "function async with as else case of throw typeof instanceof extends implements fn pub use mut match "
    "struct enum impl type interface package func go defer select switch do then local end lambda"
)
_KEYWORDS = frozenset(_KEYWORD_WORDS.split())


def _cursor_line(text_before_cursor: str) -> str:
    return text_before_cursor[text_before_cursor.rfind("\n") + 1 :]


def _after_keyword(line: str) -> bool:
    if not line.endswith(" "):
        return False
    words = line.rstrip().rsplit(None, 1)
    return bool(words) and words[-1] in _KEYWORDS


class DebouncePolicy:
    """The debounce of one document; feed it every keystroke, ask it for the delay of each request."""

    def __init__(
        self,
        min_ms: float = 15.0,
        base_ms: float = 75.0,
        max_ms: float = 350.0,
        trigger_factor: float = 1 / 3,
        burst_factor: float = 2.5,
        alpha: float = 0.3,
        pause_ms: float = 1000.0,
    ) -> None:
        self.min_ms = max(0.0, min_ms)
        self.max_ms = max(self.min_ms, max_ms)
        self.base_ms = min(max(base_ms, self.min_ms), self.max_ms)
        self.trigger_factor = trigger_factor
        self.burst_factor = burst_factor
        self.alpha = min(max(alpha, 0.01), 1.0)
        self.pause_ms = pause_ms
        self.interval_ms: float | None = None  # EMA of inter-keystroke intervals within bursts
        self._last: float | None = None

    def observe_keystroke(self, now: float) -> None:
        """A change to the document at ``now`` (seconds)."""
        if self._last is not None:
            gap = (now - self._last) * 1000.0
            if 0 <= gap <= self.pause_ms:  # a pause is not rhythm
                ema = self.interval_ms
                self.interval_ms = gap if ema is None else self.alpha * gap + (1 - self.alpha) * ema
        self._last = now

    def in_burst(self, now: float) -> bool:
        """Whether the user is typing: a rhythm is known and no pause since the last key.

        The rhythm survives pauses (they do not enter it), so the first keys after a pause already count:
        the benchmark measured fewer wasted requests (0.091 -> 0.082 per typed character) and the same
        pauses served as when two fresh intervals were required.
        """
        return (
            self._last is not None
            and (now - self._last) * 1000.0 <= self.pause_ms
            and self.interval_ms is not None
        )

    def context_factor(self, text_before_cursor: str, trigger: str | None) -> float:
        """0 at a line start, ``trigger_factor`` after a trigger or keyword + space, else 1."""
        line = _cursor_line(text_before_cursor)
        if not line.strip():
            return 0.0  # start of a line, after a newline, or only indentation typed
        if trigger is not None and trigger.strip() and trigger in TRIGGER_CHARACTERS:
            return self.trigger_factor
        if line[-1] in TRIGGER_CHARACTERS or _after_keyword(line):
            return self.trigger_factor
        if line.endswith(" ") and line.rstrip()[-1:] in TRIGGER_CHARACTERS:
            return self.trigger_factor  # "x = ", "f(a, "
        return 1.0

    def delay_ms(self, now: float, text_before_cursor: str, trigger: str | None = None) -> float:
        """Milliseconds to wait before sending the request for a cursor after ``text_before_cursor``.

        ``trigger`` is the LSP trigger character when the client reported one. A manual invocation
        should not be debounced at all; the caller skips this for it.
        """
        delay = self.base_ms * self.context_factor(text_before_cursor, trigger)
        if self.in_burst(now) and self.interval_ms is not None:
            # Mid-burst the next key is due within the rhythm wherever the cursor is: a request sent
            # before it is paid for and thrown away, so the rhythm is a floor for every context.
            delay = max(delay, self.burst_factor * self.interval_ms)
        return min(max(delay, self.min_ms), self.max_ms)


class DebouncePolicies:
    """One ``DebouncePolicy`` per document, for the ``max_docs`` most recently typed-in documents."""

    def __init__(self, max_docs: int = 64, **settings: float) -> None:
        self._settings = settings
        self._docs: LRUCache[str, DebouncePolicy] = LRUCache(maxsize=max(1, max_docs))

    def for_doc(self, doc_id: str) -> DebouncePolicy:
        """The policy of ``doc_id``, created with the shared settings on first use."""
        policy = self._docs.get(doc_id)
        if policy is None:
            policy = DebouncePolicy(**self._settings)
            self._docs[doc_id] = policy
        return policy

    def forget(self, doc_id: str) -> None:
        """Drop the rhythm of a closed document."""
        self._docs.pop(doc_id, None)
