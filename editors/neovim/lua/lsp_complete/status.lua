--- The server's `$/lspComplete/status` notifications, kept per client, and the statusline component.
local M = {}

---@class lsp_complete.Status
---@field tier? string
---@field provider? string
---@field model? string
---@field latencyMs? number
---@field degraded? boolean
---@field paused? boolean
---@field spentTodayUsd? number
---@field dailyCapUsd? number

---@type table<integer, lsp_complete.Status>
M.by_client = {}

local function refresh(data)
  vim.schedule(function()
    vim.cmd.redrawstatus({ bang = true })
    vim.api.nvim_exec_autocmds('User', { pattern = 'LspCompleteStatus', modeline = false, data = data })
  end)
end

---@param client_id integer
---@param status lsp_complete.Status
function M.update(client_id, status)
  if type(status) ~= 'table' then
    return
  end
  local clean = {}
  for k, v in pairs(status) do
    if v ~= vim.NIL then -- JSON null
      clean[k] = v
    end
  end
  M.by_client[client_id] = clean
  refresh({ client_id = client_id, status = clean })
end

--- The server paused or resumed completions (`lspComplete.toggle`): show it before the next status.
---@param client_id integer
---@param paused boolean
function M.set_paused(client_id, paused)
  local status = vim.deepcopy(M.by_client[client_id] or {})
  status.paused = paused
  M.by_client[client_id] = status
  refresh({ client_id = client_id, status = status })
end

--- Our server left `bufnr`: forget its status once it has no buffer left, and never leave ghost text.
---@param client_id integer
---@param bufnr integer
function M.detach(client_id, bufnr)
  local ns = vim.api.nvim_get_namespaces()['nvim.lsp.inline_completion']
  if ns and vim.api.nvim_buf_is_valid(bufnr) then
    vim.api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
  end
  local client = vim.lsp.get_client_by_id(client_id)
  local others = client and vim.tbl_filter(function(b)
    return b ~= bufnr
  end, vim.tbl_keys(client.attached_buffers or {})) or {}
  if #others == 0 then
    M.by_client[client_id] = nil
    refresh({ client_id = client_id })
  end
end

local function money(x)
  if type(x) ~= 'number' then
    return nil
  end
  -- Cents hide what completions cost; below a dime show a tenth of a cent.
  return string.format((x > 0 and x < 0.1) and '$%.3f' or '$%.2f', x)
end

--- The status of our server in the current buffer.
---@return lsp_complete.Status|nil, boolean attached
function M.current()
  local clients = require('lsp_complete').clients()
  if #clients == 0 then
    return nil, false
  end
  return M.by_client[clients[1].id], true
end

--- e.g. "AI fast fake 42ms $0.03/$1.00"; "AI paused"; "AI!" marks degraded; '' when not attached.
---@return string
function M.statusline()
  local s, attached = M.current()
  if not attached then
    return ''
  end
  return M.format(s)
end

--- One status as text for %{} in 'statusline'; "AI" before the first completion.
---@param s lsp_complete.Status|nil
---@return string
function M.format(s)
  if type(s) ~= 'table' then
    return 'AI'
  end
  if s.paused then
    return 'AI paused'
  end
  local parts = { s.degraded and 'AI!' or 'AI' }
  if s.tier then
    parts[#parts + 1] = s.tier
  end
  if s.provider then
    parts[#parts + 1] = s.provider
  end
  if type(s.latencyMs) == 'number' then
    parts[#parts + 1] = string.format('%dms', math.floor(s.latencyMs + 0.5))
  end
  local spent, cap = money(s.spentTodayUsd), money(s.dailyCapUsd)
  if spent then
    parts[#parts + 1] = cap and (spent .. '/' .. cap) or spent
  end
  return table.concat(parts, ' ')
end

return M
