"""lsp-complete: AI code completions for every editor, on a budget."""

__version__ = "0.1.0"
