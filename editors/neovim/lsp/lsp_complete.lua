-- The lsp-complete language server as a vim.lsp.Config, found by `vim.lsp.enable('lsp_complete')`
-- (Neovim 0.11+). Change fields with `vim.lsp.config('lsp_complete', {...})` or
-- `require('lsp_complete').setup({...})`; see `:help lsp_complete`.

---@type vim.lsp.Config
return {
  cmd = { 'lsp-complete' },
  root_markers = { '.git' },
  -- No `filetypes`: AI completion is useful in every file; the server itself turns completions off
  -- for `completion.disabled_languages` and never reads secret files.
  handlers = {
    ['$/lspComplete/status'] = function(_, result, ctx)
      require('lsp_complete.status').update(ctx.client_id, result)
    end,
    ['$/lspComplete/explanation'] = function(_, result)
      require('lsp_complete.explain').update(result)
    end,
  },
}
