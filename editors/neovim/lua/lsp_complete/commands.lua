--- `:LspComplete {explain|fix|docstring|tests|toggle|usage|restart}`: each runs the server's
--- `lspComplete.*` command through workspace/executeCommand with {uri, range} (see INTERFACES.md).
local M = {}

local lsp_complete = require('lsp_complete')

local RANGED = { explain = true, fix = true, docstring = true, tests = true }
local PLAIN = { toggle = true, usage = true }

local function notify(msg, level)
  vim.notify('lsp-complete: ' .. msg, level or vim.log.levels.INFO)
end

--- The LSP range of the command: the visual selection (or :range lines), else the cursor (an empty
--- range, which the server widens to the enclosing block).
---@param opts table the user command's opts
---@param client vim.lsp.Client
---@param bufnr integer
local function range_of(opts, client, bufnr)
  local enc = client.offset_encoding
  if opts.range == 0 then
    local pos = vim.api.nvim_win_get_cursor(0)
    return vim.lsp.util.make_given_range_params(pos, pos, bufnr, enc).range
  end
  local s, e = vim.api.nvim_buf_get_mark(bufnr, '<'), vim.api.nvim_buf_get_mark(bufnr, '>')
  if s[1] ~= opts.line1 or e[1] ~= opts.line2 or vim.fn.visualmode() == 'V' then
    -- Whole lines: from the start of line1 to the end of line2.
    local last = vim.api.nvim_buf_get_lines(bufnr, opts.line2 - 1, opts.line2, true)[1]
    s, e = { opts.line1, 0 }, { opts.line2, math.max(#last - 1, 0) }
  end
  -- make_given_range_params includes the character under the end mark.
  return vim.lsp.util.make_given_range_params(s, e, bufnr, enc).range
end

--- Diagnostics (any source) on the lines of `range`, as LSP diagnostics.
---@param bufnr integer
---@param range lsp.Range
local function diagnostics_in(bufnr, range)
  local found = vim.tbl_filter(function(d)
    return d.lnum <= range['end'].line and (d.end_lnum or d.lnum) >= range.start.line
  end, vim.diagnostic.get(bufnr))
  return vim.lsp.diagnostic.from(found)
end

--- Show a command's answer: text (explanations, summaries) in a floating window or a message.
local function show(action, result)
  if result == nil or result == vim.NIL then
    return
  end
  local text = type(result) == 'string' and result
    or type(result) == 'table' and (result.message or result.text or result.markdown or result.summary)
  if action == 'toggle' and type(result) == 'table' and result.enabled ~= nil then
    notify(result.enabled and 'completions on' or 'completions paused')
    return
  end
  if type(text) ~= 'string' or text == '' then
    return
  end
  if action == 'usage' or not text:find('\n') then
    notify(text, type(result) == 'table' and result.ok == false and vim.log.levels.WARN or nil)
  else
    vim.lsp.util.open_floating_preview(vim.split(text, '\n'), 'markdown', { border = 'rounded', focus_id = 'lsp_complete' })
  end
end

---@param client vim.lsp.Client
---@param action string
---@param args table|nil
---@param bufnr integer
local function execute(client, action, args, bufnr)
  local params = { command = 'lspComplete.' .. action, arguments = args and { args } or nil }
  client:request('workspace/executeCommand', params, function(err, result)
    if err then
      notify(action .. ' failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if action == 'toggle' and type(result) == 'table' and type(result.enabled) == 'boolean' then
      require('lsp_complete.status').set_paused(client.id, not result.enabled)
    end
    show(action, result)
  end, bufnr)
end

--- Stop our clients and start them again on the buffers they served, with the same configuration.
function M.restart()
  local clients = lsp_complete.clients(false)
  if #clients == 0 then
    notify('not running; starting it for this buffer')
    vim.lsp.enable(lsp_complete.name) -- attaches to the open buffers whose filetype matches
    return
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_keys(client.attached_buffers)
    local config = client.config
    client:stop()
    vim.wait(5000, function()
      return client:is_stopped()
    end, 20)
    if not client:is_stopped() then
      client:stop(true)
    end
    for _, bufnr in ipairs(buffers) do
      if vim.api.nvim_buf_is_valid(bufnr) then
        vim.lsp.start(config, { bufnr = bufnr })
      end
    end
  end
  notify('restarted')
end

--- The :LspComplete user command.
---@param opts table
function M.run(opts)
  local action = opts.fargs[1]
  if action == 'restart' then
    return M.restart()
  end
  if not RANGED[action] and not PLAIN[action] then
    return notify('unknown command ' .. vim.inspect(action) .. ' (explain|fix|docstring|tests|toggle|usage|restart)', vim.log.levels.ERROR)
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local client = lsp_complete.clients(bufnr)[1]
  if not client then
    return notify('the server is not attached to this buffer (see :checkhealth lsp_complete)', vim.log.levels.WARN)
  end
  local args = nil
  if RANGED[action] then
    local range = range_of(opts, client, bufnr)
    args = { uri = vim.uri_from_bufnr(bufnr), range = range }
    if action == 'fix' then
      args.diagnostics = diagnostics_in(bufnr, range) -- what to fix: the problems on those lines
    end
  end
  execute(client, action, args, bufnr)
end

return M
