"""The completion pipeline over stdio against the fake provider: supersession, cancellation, kept and
shared streams, typing-through, backspace, in-flight sharing, cross-file context, secrets, stale text."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.e2e.harness import edit, lsp_session, open_doc, sealed_env
from tests.fake_provider import FakeProvider, Reply

pytestmark = pytest.mark.e2e

KEY = "sk-test-0123456789abcdef"
WAIT_S = 10.0


def config(url: str, **completion: object) -> str:
    """A config file with the fake as the whole fast tier and ``completion`` settings."""
    # Speculation (on by default) would add requests these tests do not count; its own tests turn it on.
    values = {"debounce_ms": 0, "speculative": False, **completion}
    lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())
    return (
        f'[providers.fake]\napi = "openai-completions"\nbase_url = "{url}"\napi_key_env = "FAKE_KEY"\n\n'
        f'[tiers]\nfast = ["fake/coder"]\n\n[completion]\n{lines}'
    )


def send_inline(
    client: LanguageClient, uri: str, line: int, character: int, invoked: bool = True
) -> Awaitable[Any]:
    """Send an inlineCompletion request now (before any later notification); await the result later."""
    kind = (
        types.InlineCompletionTriggerKind.Invoked if invoked else types.InlineCompletionTriggerKind.Automatic
    )
    params = types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character),
        context=types.InlineCompletionContext(trigger_kind=kind),
    )
    future = client.protocol.send_request(types.TEXT_DOCUMENT_INLINE_COMPLETION, params)
    return asyncio.wrap_future(future)


async def texts(pending: Awaitable[Any]) -> list[str]:
    """The insert texts of an inline completion answer."""
    result = await pending
    if result is None:
        return []
    items = result if isinstance(result, list | tuple) else result.items
    return [item.insert_text for item in items]


async def wait_request(fake: FakeProvider) -> dict[str, Any]:
    """The JSON body of the fake's next request."""
    request = await asyncio.to_thread(fake.wait_for_request, WAIT_S)
    assert isinstance(request.json, dict)
    return request.json


async def barrier(client: LanguageClient) -> None:
    """Returns once the server has handled every message sent before (it answers requests in order)."""
    assert await texts(send_inline(client, "file:///not-open.py", 0, 0)) == []


def type_at(client: LanguageClient, uri: str, version: int, line: int, character: int, text: str) -> None:
    """The user typed ``text`` at (line, character)."""
    edit(client, uri, version, (line, character), (line, character), text)


async def test_debounce_supersedes_older_requests_without_upstream_calls(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider(Reply(text="upper()")) as fake:
        env = sealed_env(tmp_path, config(fake.url, debounce_ms=800, adaptive_debounce=False), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "x = name")
            pending = []
            for version, typed in enumerate(".", start=2):
                pending.append(send_inline(client, uri, 0, 8, invoked=False))
                type_at(client, uri, version, 0, 8, typed)
            pending.append(send_inline(client, uri, 0, 9, invoked=False))
            answers = [await texts(p) for p in pending]
            assert answers == [[], ["upper()"]]
            body = await wait_request(fake)
        assert len(fake.requests) == 1  # the superseded request never went upstream
        assert body["prompt"].endswith("x = name.")


async def test_supersession_aborts_a_stream_that_cannot_serve_the_new_request(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text="first answer", chunks=4, stall_after_chunks=1), Reply(text="2"))
        env = sealed_env(tmp_path, config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "a = \nb = ")
            first = send_inline(client, uri, 0, 4)
            await wait_request(fake)
            second = send_inline(client, uri, 1, 4)  # another line: the first stream cannot serve it
            assert await texts(first) == []
            assert await asyncio.to_thread(fake.wait_for_disconnect, WAIT_S)
            assert await texts(second) == ["2"]
        assert len(fake.requests) == 2


async def test_stream_is_kept_and_shared_when_the_user_types_what_it_answers(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider(Reply(text="lower()", chunks=3, hold="answer")) as fake:
        env = sealed_env(tmp_path, config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "x = name.")
            first = send_inline(client, uri, 0, 9)
            await wait_request(fake)
            type_at(client, uri, 2, 0, 9, "lo")
            second = send_inline(client, uri, 0, 11)
            assert await texts(first) == []  # superseded: answered at once
            fake.release("answer")
            assert await texts(second) == ["wer()"]
        assert len(fake.requests) == 1
        assert fake.disconnects == 0


async def test_typing_through_and_backspace_are_served_from_memory(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider(Reply(text="compute(1)", chunks=2)) as fake:
        env = sealed_env(tmp_path, config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "x = ")
            assert await texts(send_inline(client, uri, 0, 4, invoked=False)) == ["compute(1)"]
            type_at(client, uri, 2, 0, 4, "c")
            assert await texts(send_inline(client, uri, 0, 5, invoked=False)) == ["ompute(1)"]
            type_at(client, uri, 3, 0, 5, "omp")
            assert await texts(send_inline(client, uri, 0, 8, invoked=False)) == ["ute(1)"]
            edit(client, uri, 4, (0, 6), (0, 8), "")  # backspace twice: "x = co"
            assert await texts(send_inline(client, uri, 0, 6, invoked=False)) == ["mpute(1)"]
            edit(client, uri, 5, (0, 4), (0, 6), "")  # back to where it was shown
            assert await texts(send_inline(client, uri, 0, 4, invoked=False)) == ["compute(1)"]
        assert len(fake.requests) == 1


async def test_backspace_before_the_place_a_suggestion_was_shown(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider(Reply(text="(1)")) as fake:
        env = sealed_env(tmp_path, config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "value = compute")
            assert await texts(send_inline(client, uri, 0, 15)) == ["(1)"]
            edit(client, uri, 2, (0, 12), (0, 15), "")  # "value = comp"
            assert await texts(send_inline(client, uri, 0, 12)) == ["ute(1)"]
        assert len(fake.requests) == 1


async def test_identical_requests_in_flight_share_one_upstream_call(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider(Reply(text="42", hold="go")) as fake:
        env = sealed_env(tmp_path, config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "answer = ")
            first = send_inline(client, uri, 0, 9)
            await wait_request(fake)
            second = send_inline(client, uri, 0, 9)  # the editor asks again at the same place
            assert await texts(first) == []
            fake.release("go")
            assert await texts(second) == ["42"]
        assert len(fake.requests) == 1
        assert fake.disconnects == 0


async def test_cross_file_snippet_in_the_prompt_and_secrets_never_sent(tmp_path: Path) -> None:
    app, other, secret = tmp_path / "app.py", tmp_path / "billing.py", tmp_path / ".env"
    other_text = (
        "def compute_invoice_total(invoice_lines, tax_rate):\n"
        "    subtotal = sum(line.amount for line in invoice_lines)\n"
        "    return subtotal * (1 + tax_rate)\n"
    )
    secret_text = "INVOICE_API_TOKEN=hunter2-secret-value  # compute_invoice_total invoice_lines tax_rate\n"
    with FakeProvider(Reply(text="0.2)")) as fake:
        env = sealed_env(tmp_path, config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env, root=tmp_path) as (client, _):
            open_doc(client, other.as_uri(), other_text)
            open_doc(client, secret.as_uri(), secret_text, language_id="dotenv")
            type_at(client, secret.as_uri(), 2, 1, 0, "X=compute_invoice_total\n")  # recently edited
            line = "total = compute_invoice_total(invoice_lines, tax_rate="
            open_doc(client, app.as_uri(), f"{line}\n")
            assert await texts(send_inline(client, app.as_uri(), 0, len(line))) == ["0.2)"]
            assert await texts(send_inline(client, secret.as_uri(), 0, 18)) == []
            body = await wait_request(fake)
        assert "# billing.py\n" in body["prompt"]
        assert "sum(line.amount for line in invoice_lines)" in body["prompt"]
        assert body["prompt"].index("billing.py") < body["prompt"].index(line)  # context first
        assert len(fake.requests) == 1
        assert all(b"hunter2" not in r.body for r in fake.requests)


async def test_document_changed_mid_request_never_shows_stale_text(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text="stale()", hold="a"), Reply(text="kept()", hold="b"))
        env = sealed_env(tmp_path, config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "import os\nx = ")
            pending = send_inline(client, uri, 1, 4)
            await wait_request(fake)
            type_at(client, uri, 2, 0, 0, "# moved\n")  # an edit above: the answer's position shifted
            assert await asyncio.to_thread(fake.wait_for_disconnect, WAIT_S)  # its stream is closed
            assert await texts(pending) == []
            # Typing on along the answer keeps the stream, but this request's answer is still not shown:
            # the document is no longer the one it was asked for.
            pending = send_inline(client, uri, 2, 4)
            await wait_request(fake)
            type_at(client, uri, 3, 2, 4, "k")
            await barrier(client)
            fake.release("b")
            assert await texts(pending) == []
            assert await texts(send_inline(client, uri, 2, 5)) == ["ept()"]  # from memory
        assert len(fake.requests) == 2


@pytest.mark.parametrize("answer", ["   \n\t  ", "\x00\x01\x02garbage", "\ufffd\ufffd"])
async def test_whitespace_or_garbage_answers_are_dropped(tmp_path: Path, answer: str) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider(Reply(text=answer)) as fake:
        env = sealed_env(tmp_path, config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "x = ")
            assert await texts(send_inline(client, uri, 0, 4)) == []
            assert await texts(send_inline(client, uri, 5, 0)) == []  # past the end
        assert len(fake.requests) == 1


async def test_ten_megabyte_single_line_file_gets_an_answer_and_a_bounded_prompt(tmp_path: Path) -> None:
    uri = (tmp_path / "big.py").as_uri()
    line = "x = [" + "1, " * 3_500_000
    with FakeProvider(Reply(text="2]")) as fake:
        env = sealed_env(tmp_path, config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, line)
            assert await texts(send_inline(client, uri, 0, len(line))) == ["2]"]
            body = await wait_request(fake)
        assert len(line) > 10_000_000
        assert len(body["prompt"]) < 100_000


async def test_speculative_request_serves_the_suggestion_after_an_accepted_one(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text="compute(1)"), Reply(text="\ny = 2"))
        env = sealed_env(tmp_path, config(fake.url, speculative=True), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "x = ")
            assert await texts(send_inline(client, uri, 0, 4)) == ["compute(1)"]
            ahead = await wait_request(fake)  # the first request
            ahead = await wait_request(fake)  # asked ahead, as if "compute(1)" were accepted
            assert ahead["prompt"].endswith("x = compute(1)")
            type_at(client, uri, 2, 0, 4, "compute(1)")  # the user accepts
            assert await texts(send_inline(client, uri, 0, 14)) == ["\ny = 2"]
        assert len(fake.requests) == 2


async def test_languages_outside_enabled_languages_get_no_request(tmp_path: Path) -> None:
    notes, app = (tmp_path / "notes.md").as_uri(), (tmp_path / "app.py").as_uri()
    with FakeProvider(Reply(text="1")) as fake:
        env = sealed_env(tmp_path, config(fake.url, enabled_languages=["python"]), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, notes, "x = ", language_id="markdown")
            open_doc(client, app, "x = ")
            assert await texts(send_inline(client, notes, 0, 4)) == []
            assert await texts(send_inline(client, app, 0, 4)) == ["1"]
        assert len(fake.requests) == 1


async def test_cancel_keeps_a_stream_the_user_typed_on_along_and_the_next_request_shares_it(
    tmp_path: Path,
) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider(Reply(text="lower()", hold="answer")) as fake:
        env = sealed_env(tmp_path, config(fake.url), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "x = name.")
            params = types.InlineCompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=0, character=9),
                context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
            )
            first = asyncio.wrap_future(
                client.protocol.send_request(types.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id=901)
            )
            await wait_request(fake)
            type_at(client, uri, 2, 0, 9, "lo")  # as editors do: the change, then the cancel
            client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=901))
            with pytest.raises(JsonRpcException):
                await first
            second = send_inline(client, uri, 0, 11)
            await barrier(client)
            fake.release("answer")
            assert await texts(second) == ["wer()"]
        assert len(fake.requests) == 1
        assert fake.disconnects == 0


async def test_without_typing_through_a_typed_on_stream_is_aborted(tmp_path: Path) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider() as fake:
        fake.respond_with(Reply(text="lower()", hold="never"), Reply(text="wer()"))
        env = sealed_env(tmp_path, config(fake.url, typing_through=False), FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "x = name.")
            first = send_inline(client, uri, 0, 9)
            await wait_request(fake)
            type_at(client, uri, 2, 0, 9, "lo")
            assert await asyncio.to_thread(fake.wait_for_disconnect, WAIT_S)
            assert await texts(first) == []
            assert await texts(send_inline(client, uri, 0, 11)) == ["wer()"]
        assert len(fake.requests) == 2


@pytest.mark.parametrize(("max_inflight", "aborted"), [(1, True), (2, False)])
async def test_max_inflight_per_document(tmp_path: Path, max_inflight: int, aborted: bool) -> None:
    uri = (tmp_path / "app.py").as_uri()
    with FakeProvider(Reply(text="later", hold="later")) as fake:
        fake.respond_with(Reply(text="compute(1)"), Reply(text="ahead", hold="ahead"), Reply(text="2"))
        settings = config(fake.url, speculative=True, max_inflight=max_inflight)
        env = sealed_env(tmp_path, settings, FAKE_KEY=KEY)
        async with lsp_session(env) as (client, _):
            open_doc(client, uri, "x = \ny = ")
            assert await texts(send_inline(client, uri, 0, 4)) == ["compute(1)"]
            await wait_request(fake)
            ahead = await wait_request(fake)  # the speculative request, held in flight
            assert ahead["prompt"].endswith("x = compute(1)")
            assert await texts(send_inline(client, uri, 1, 4)) == ["2"]
            if aborted:  # a second request in flight was one too many: the speculative one is closed
                assert await asyncio.to_thread(fake.wait_for_disconnect, WAIT_S)
            else:
                await barrier(client)
                assert fake.disconnects == 0
            fake.release("ahead")
            fake.release("later")
        assert fake.requests[2].json["prompt"].endswith("y = ")
