"""The completion pipeline's stateful steps (asyncio); the pure rules live in ``lsp_complete.core``."""
