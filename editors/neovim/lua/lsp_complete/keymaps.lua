--- What the suggestion keys do. Each function returns the keys an `expr` mapping should type:
--- '' when it acted on a suggestion, otherwise `fallback` (so <Tab> still indents without one).
local M = {}

local function inline_ns()
  return vim.api.nvim_get_namespaces()['nvim.lsp.inline_completion']
end

--- Ghost text currently shown in `bufnr` (0.12 inline completion).
---@param bufnr? integer
---@return boolean
function M.ghost_visible(bufnr)
  local ns = inline_ns()
  if not ns or not vim.lsp.inline_completion then
    return false
  end
  return #vim.api.nvim_buf_get_extmarks(bufnr or 0, ns, 0, -1, { limit = 1 }) > 0
end

--- The insert-mode completion menu (0.11 vim.lsp.completion) has an item selected.
local function menu_selected()
  local info = vim.fn.complete_info({ 'mode', 'selected' })
  return info.mode ~= '' and info.selected ~= -1
end

local function menu_active()
  return vim.fn.complete_info({ 'mode' }).mode ~= ''
end

---@param fallback string
function M.accept(fallback)
  if menu_selected() then
    return '<C-y>'
  end
  if vim.lsp.inline_completion and vim.lsp.inline_completion.get() then
    return ''
  end
  return fallback
end

---@param fallback string
function M.next(fallback)
  if M.ghost_visible() then
    vim.lsp.inline_completion.select({ count = 1 })
    return ''
  end
  return menu_active() and '<C-n>' or fallback
end

---@param fallback string
function M.prev(fallback)
  if M.ghost_visible() then
    vim.lsp.inline_completion.select({ count = -1 })
    return ''
  end
  return menu_active() and '<C-p>' or fallback
end

---@param fallback string
function M.dismiss(fallback)
  if M.ghost_visible() then
    -- Neovim has no public "dismiss": turning inline completion off and on again for this buffer
    -- drops the shown item and its pending requests; the next keystroke asks again.
    local bufnr = vim.api.nvim_get_current_buf()
    vim.schedule(function()
      vim.lsp.inline_completion.enable(false, { bufnr = bufnr })
      vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
    end)
    return ''
  end
  return menu_active() and '<C-e>' or fallback
end

local DESC = {
  accept = 'accept the suggestion',
  next = 'next suggestion',
  prev = 'previous suggestion',
  dismiss = 'hide the suggestion',
}

--- Buffer-local insert-mode keys from setup({ keymaps = { accept = '<Tab>', ... } }).
---@param bufnr integer
---@param keymaps table<string, string|false>
function M.attach(bufnr, keymaps)
  for name, lhs in pairs(keymaps) do
    if lhs then
      vim.keymap.set('i', lhs, function()
        return M[name](lhs)
      end, { buffer = bufnr, expr = true, silent = true, desc = 'lsp-complete: ' .. DESC[name] })
    end
  end
end

return M
