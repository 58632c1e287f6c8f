"""Acceptance telemetry from the editor: what was shown, displayed, accepted or partly accepted.

Thin: read the id (and length) out of the params, call ``session.telemetry``. Two spellings of each
notification: ours, ``$/lspComplete/didShowCompletion`` ``{id}`` and
``$/lspComplete/didPartiallyAcceptCompletion`` ``{id, acceptedLength}``, and Copilot's
``textDocument/didShowCompletion`` ``{item}`` / ``textDocument/didPartiallyAcceptCompletion``
``{item, acceptedLength}``, whose item carries our id as its command's argument. Bad params: one log line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from lsp_complete.engine import Completion
from lsp_complete.lsp.server import CompleteServer

logger = logging.getLogger(__name__)

DID_SHOW = "$/lspComplete/didShowCompletion"
DID_PARTIALLY_ACCEPT = "$/lspComplete/didPartiallyAcceptCompletion"
COPILOT_DID_SHOW = "textDocument/didShowCompletion"
COPILOT_DID_PARTIALLY_ACCEPT = "textDocument/didPartiallyAcceptCompletion"


def register_telemetry(server: CompleteServer) -> None:
    """Register the notifications on ``server``."""
    for method in (DID_SHOW, COPILOT_DID_SHOW):
        server.feature(method)(_did_show)
    for method in (DID_PARTIALLY_ACCEPT, COPILOT_DID_PARTIALLY_ACCEPT):
        server.feature(method)(_did_partially_accept)


def record_shown(ls: CompleteServer, completions: Sequence[Completion]) -> None:
    """The suggestions the server is about to return to the editor."""
    for c in completions:
        ls.session.telemetry.shown(c.id, c.source, len(c.text))


def record_accepted(ls: CompleteServer, completion_id: str) -> None:
    """The inline item's ``lspComplete.accepted`` command ran."""
    ls.session.telemetry.accepted(completion_id)


def _did_show(ls: CompleteServer, params: Any) -> None:
    completion_id = _id(params)
    if completion_id is None:
        logger.warning("didShowCompletion without a suggestion id: ignored")
        return
    ls.session.telemetry.displayed(completion_id)


def _did_partially_accept(ls: CompleteServer, params: Any) -> None:
    completion_id, length = _id(params), _get(params, "acceptedLength")
    if completion_id is None or isinstance(length, bool) or not isinstance(length, int):
        logger.warning("didPartiallyAcceptCompletion needs {id, acceptedLength: integer}: ignored")
        return
    ls.session.telemetry.partially_accepted(completion_id, length)


def _id(params: Any) -> str | None:
    """Our ``id``, or the id in a Copilot-style ``item.command.arguments[0]``."""
    value = _get(params, "id")
    if value is None:
        arguments = _get(_get(_get(params, "item"), "command"), "arguments")
        value = arguments[0] if isinstance(arguments, list | tuple) and arguments else None
    return value if isinstance(value, str) and value else None


def _get(obj: Any, name: str) -> Any:
    """A field of params that pygls gives as an attribute object (or, from some paths, a dict)."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)
