--- lsp-complete for Neovim: options and what happens when the server attaches to a buffer.
---
--- `setup(opts)` only validates and stores options (and passes the server fields to
--- `vim.lsp.config`); it starts nothing. The server starts with `vim.lsp.enable('lsp_complete')`.
local M = {}

M.name = 'lsp_complete'

---@class lsp_complete.Keymaps
---@field accept? string insert-mode key that accepts the suggestion (falls back to the key itself)
---@field next? string insert-mode key: next suggestion
---@field prev? string insert-mode key: previous suggestion
---@field dismiss? string insert-mode key: hide the suggestion

---@class lsp_complete.Options
---@field cmd? string[] how to start the server (default { 'lsp-complete' })
---@field cmd_env? table<string,string> extra environment for the server
---@field filetypes? string[] attach only to these filetypes (default: every filetype)
---@field root_markers? string[] files that mark the project root (default { '.git' })
---@field settings? table server settings (same shape as the config file), sent at start
---@field mode? 'auto'|'inline'|'menu'|'both'|'none' how suggestions show (default 'auto')
---@field keymaps? lsp_complete.Keymaps buffer-local keys, set where the server attaches

---@type lsp_complete.Options
local defaults = {
  cmd = { 'lsp-complete' },
  cmd_env = nil,
  filetypes = nil,
  root_markers = { '.git' },
  settings = {},
  mode = 'auto',
  keymaps = {},
}

local MODES = { auto = true, inline = true, menu = true, both = true, none = true }
local KEYMAP_NAMES = { accept = true, next = true, prev = true, dismiss = true }

---@type lsp_complete.Options
M.options = vim.deepcopy(defaults)

local function is_string_list(v)
  if not vim.islist(v) then
    return false
  end
  for _, s in ipairs(v) do
    if type(s) ~= 'string' then
      return false
    end
  end
  return true
end

--- Validate `opts`; raises an error naming the bad field.
---@param opts lsp_complete.Options
local function validate(opts)
  vim.validate('opts', opts, 'table')
  vim.validate('cmd', opts.cmd, function(v)
    return v == nil or (is_string_list(v) and #v > 0)
  end, 'a non-empty list of strings')
  vim.validate('cmd_env', opts.cmd_env, 'table', true)
  vim.validate('filetypes', opts.filetypes, function(v)
    return v == nil or is_string_list(v)
  end, 'a list of strings')
  vim.validate('root_markers', opts.root_markers, function(v)
    return v == nil or is_string_list(v)
  end, 'a list of strings')
  vim.validate('settings', opts.settings, 'table', true)
  vim.validate('mode', opts.mode, function(v)
    return v == nil or MODES[v] == true
  end, "one of 'auto', 'inline', 'menu', 'both', 'none'")
  vim.validate('keymaps', opts.keymaps, function(v)
    if v == nil then
      return true
    end
    if type(v) ~= 'table' then
      return false
    end
    for k, lhs in pairs(v) do
      if not KEYMAP_NAMES[k] or (type(lhs) ~= 'string' and lhs ~= false) then
        return false
      end
    end
    return true
  end, 'a table with accept/next/prev/dismiss keys (strings or false)')
end

--- Configure the plugin. Safe to call more than once: the plugin's own options (mode, keymaps) start
--- from the defaults again; the server fields are merged into `vim.lsp.config('lsp_complete')` like
--- any vim.lsp.config() call, and apply to servers started after it.
---@param opts? lsp_complete.Options
function M.setup(opts)
  opts = opts or {}
  validate(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts)
  for _, list in ipairs({ 'cmd', 'filetypes', 'root_markers' }) do
    if opts[list] then
      M.options[list] = opts[list] -- lists replace, never merge element-wise
    end
  end
  local server = { cmd = M.options.cmd, root_markers = M.options.root_markers }
  server.cmd_env = M.options.cmd_env
  server.filetypes = M.options.filetypes
  if next(M.options.settings) ~= nil then
    server.init_options = M.options.settings
    -- Sent again as workspace/didChangeConfiguration (and kept across :LspComplete restart).
    server.settings = { lspComplete = M.options.settings }
  end
  vim.lsp.config(M.name, server)
end

--- Which display the options ask for on this Neovim: returns inline, menu (booleans).
---@return boolean inline, boolean menu
function M.display()
  local mode = M.options.mode
  local has_inline = vim.lsp.inline_completion ~= nil
  local want_inline = mode == 'auto' or mode == 'inline' or mode == 'both'
  local want_menu = mode == 'menu' or mode == 'both'
  -- Without inline completion (0.11) a request for ghost text falls back to the menu.
  return want_inline and has_inline, want_menu or (want_inline and not has_inline)
end

--- Called (from plugin/lsp_complete.lua's LspAttach autocmd) when our server attaches to `bufnr`.
---@param client vim.lsp.Client
---@param bufnr integer
function M.attach(client, bufnr)
  local inline, menu = M.display()
  if inline then
    vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
  end
  if menu and vim.lsp.completion then
    vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = true })
  end
  require('lsp_complete.keymaps').attach(bufnr, M.options.keymaps or {})
end

--- Running clients of our server, for `bufnr` (default: the current buffer) or all when `bufnr` is false.
---@param bufnr? integer|false
---@return vim.lsp.Client[]
function M.clients(bufnr)
  local filter = { name = M.name }
  if bufnr ~= false then
    filter.bufnr = bufnr or vim.api.nvim_get_current_buf()
  end
  return vim.tbl_filter(function(client)
    return not client:is_stopped() -- a stopping client stays listed until its process exits
  end, vim.lsp.get_clients(filter))
end

--- Statusline component: tier, latency and today's spend; '' when the server is not attached.
---@return string
function M.statusline()
  return require('lsp_complete.status').statusline()
end

return M
