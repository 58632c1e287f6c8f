"""Command line: ``lsp-complete [serve]``, ``complete``, ``config``, ``usage``, ``prices`` and ``doctor``.

Parses arguments and sets up logging, then hands over; no logic of its own. Logs go to stderr or a file,
never to stdout (stdout carries the LSP stream when serving).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from lsp_complete import __version__, cli_accounting


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error on wrong usage (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    parser = _Parser(prog="lsp-complete", description="AI code completions for every editor, on a budget.")
    parser.add_argument("--version", action="version", version=f"lsp-complete {__version__}")
    _add_logging(parser)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    serve = sub.add_parser("serve", help="run the language server on stdio (the default)")
    _add_logging(serve)
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio (debugging)")
    serve.add_argument(
        "--stdio", action="store_true", help="accepted for clients that pass it; stdio is the default"
    )

    complete = sub.add_parser(
        "complete", help="complete once at PATH:LINE:COL (1-based) and print the result"
    )
    _add_logging(complete)
    complete.add_argument("location", metavar="PATH:LINE:COL")
    complete.add_argument("--json", action="store_true", help="print a JSON object instead of text")

    config = sub.add_parser("config", help="print the resolved configuration and where each value came from")
    _add_logging(config)
    cli_accounting.add_commands(sub, _add_logging)
    return parser


def _add_logging(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-file", metavar="PATH", default=argparse.SUPPRESS, help="log to this file")
    parser.add_argument(
        "--log-level",
        default=argparse.SUPPRESS,
        choices=["debug", "info", "warning", "error"],
        help="log level (default: warning)",
    )


def setup_logging(level: str, log_file: str | None) -> None:
    """Send our logs to the file or to stderr; never to stdout."""
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # pygls logs every message body at INFO; keep that out unless asked for with debug.
    logging.getLogger("pygls").setLevel(logging.DEBUG if level == "debug" else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lsp-complete`` script."""
    args = build_parser().parse_args(argv)
    setup_logging(getattr(args, "log_level", "warning"), getattr(args, "log_file", None))
    command = args.command or "serve"
    if command == "serve":
        return _serve(getattr(args, "tcp", None))
    if command == "complete":
        from lsp_complete import cli_complete

        return cli_complete.run(args.location, as_json=args.json)
    if command == "config":
        from lsp_complete import cli_complete

        return cli_complete.run_config()
    if command in cli_accounting.COMMANDS:
        return cli_accounting.run(args)
    raise AssertionError(f"unhandled command {command}")


def _serve(tcp: str | None) -> int:
    from lsp_complete.lsp.server import create_server

    server = create_server()
    if tcp:
        host, _, port = tcp.rpartition(":")
        if not host or not port.isdigit():
            print(f"lsp-complete: error: --tcp wants HOST:PORT, got {tcp!r}", file=sys.stderr)
            return 2
        server.start_tcp(host, int(port))
    else:
        server.start_io()
    return 0
