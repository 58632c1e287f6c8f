//! Registers `lsp-complete` (found on the worktree's PATH) as a language server in Zed.
use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result, Worktree};

struct LspComplete;

impl zed::Extension for LspComplete {
    fn new() -> Self {
        LspComplete
    }

    fn language_server_command(&mut self, id: &LanguageServerId, worktree: &Worktree) -> Result<zed::Command> {
        // A "binary" in the user's `lsp.lsp-complete` settings wins over PATH.
        let binary = LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|s| s.binary);
        let command = binary
            .as_ref()
            .and_then(|b| b.path.clone())
            .or_else(|| worktree.which("lsp-complete"))
            .ok_or_else(|| "lsp-complete not found on PATH: pip install lsp-complete (or set lsp.lsp-complete.binary.path)".to_string())?;
        let args = binary.and_then(|b| b.arguments).unwrap_or_default();
        Ok(zed::Command { command, args, env: worktree.shell_env() })
    }

    fn language_server_initialization_options(
        &mut self,
        id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|s| s.initialization_options))
    }
}

zed::register_extension!(LspComplete);
