"""``python -m lsp_complete``: the same entry point as the ``lsp-complete`` script."""

from lsp_complete.cli import main

raise SystemExit(main())
