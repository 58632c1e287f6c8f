-- lsp-complete: user command, <Plug> mappings and attach hooks. Everything here is cheap; the modules
-- under lua/lsp_complete/ load only when a command, mapping or our language server first needs them.
if vim.g.loaded_lsp_complete then
  return
end
vim.g.loaded_lsp_complete = 1

local subcommands = { 'explain', 'fix', 'docstring', 'tests', 'toggle', 'usage', 'restart' }

vim.api.nvim_create_user_command('LspComplete', function(opts)
  require('lsp_complete.commands').run(opts)
end, {
  nargs = 1,
  range = true,
  desc = 'lsp-complete: ' .. table.concat(subcommands, '|'),
  complete = function(arg_lead)
    return vim.tbl_filter(function(s)
      return s:find(arg_lead, 1, true) == 1
    end, subcommands)
  end,
})

local group = vim.api.nvim_create_augroup('lsp_complete', { clear = true })
vim.api.nvim_create_autocmd('LspAttach', {
  group = group,
  callback = function(ev)
    local client = vim.lsp.get_client_by_id(ev.data.client_id)
    if client and client.name == 'lsp_complete' then
      require('lsp_complete').attach(client, ev.buf)
    end
  end,
})
vim.api.nvim_create_autocmd('LspDetach', {
  group = group,
  callback = function(ev)
    local client = vim.lsp.get_client_by_id(ev.data.client_id)
    if client and client.name == 'lsp_complete' then
      require('lsp_complete.status').detach(client.id, ev.buf)
    end
  end,
})

-- Insert-mode suggestion keys. Each falls through to nothing when there is no suggestion; the keys set
-- with setup({ keymaps = ... }) fall through to the key itself instead.
local function insert_plug(name, fn_name, desc)
  vim.keymap.set('i', '<Plug>(lsp-complete-' .. name .. ')', function()
    return require('lsp_complete.keymaps')[fn_name]('')
  end, { expr = true, silent = true, desc = 'lsp-complete: ' .. desc })
end
insert_plug('accept', 'accept', 'accept the suggestion')
insert_plug('next', 'next', 'next suggestion')
insert_plug('prev', 'prev', 'previous suggestion')
insert_plug('dismiss', 'dismiss', 'hide the suggestion')

-- Actions: normal mode works on the enclosing block at the cursor, visual mode on the selection.
for _, action in ipairs({ 'explain', 'fix', 'docstring', 'tests', 'toggle', 'usage' }) do
  local lhs = '<Plug>(lsp-complete-' .. action .. ')'
  vim.keymap.set('n', lhs, '<Cmd>LspComplete ' .. action .. '<CR>', { desc = 'lsp-complete: ' .. action })
  vim.keymap.set('x', lhs, ':LspComplete ' .. action .. '<CR>', { silent = true, desc = 'lsp-complete: ' .. action })
end
