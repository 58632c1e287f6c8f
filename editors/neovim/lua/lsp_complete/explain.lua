--- Live explanations: the server streams an explanation into a Markdown file and asks Neovim to open
--- it (window/showDocument) as soon as the first text arrives; Neovim reads the file once, so the rest
--- comes through `$/lspComplete/explanation` {uri, text, done}, which rewrites that buffer.
local M = {}

---@param params { uri: string, text: string, done: boolean }
function M.update(params)
  if type(params) ~= 'table' or type(params.uri) ~= 'string' or type(params.text) ~= 'string' then
    return
  end
  vim.schedule(function()
    local bufnr = vim.fn.bufnr(vim.uri_to_fname(params.uri))
    if bufnr == -1 or not vim.api.nvim_buf_is_loaded(bufnr) or vim.bo[bufnr].modified then
      return -- not open (the file on disk is complete when it is), or the user is editing it
    end
    local lines = vim.split((params.text:gsub('\n$', '')), '\n', { plain = true })
    vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, lines)
    vim.bo[bufnr].modified = false -- the same text as on disk
  end)
end

return M
