--- `:checkhealth lsp_complete`: Neovim features, the server executable, the user's config file.
local M = {}

local health = vim.health

--- The server command without the serve/--stdio arguments, so subcommands can be appended.
---@param cmd string[]
local function base_cmd(cmd)
  local out = {}
  for _, arg in ipairs(cmd) do
    if arg == 'serve' or arg == '--stdio' then
      break
    end
    out[#out + 1] = arg
  end
  return out
end

---@param cmd string[]
---@param env table|nil
---@param timeout_ms integer
local function run(cmd, env, timeout_ms)
  local ok, proc = pcall(vim.system, cmd, { env = env, text = true })
  if not ok then
    return { code = -1, stdout = '', stderr = tostring(proc) }
  end
  return proc:wait(timeout_ms)
end

local function first_lines(text, n)
  local lines = vim.split(vim.trim(text or ''), '\n')
  return table.concat(vim.list_slice(lines, 1, n), '\n')
end

local function check_neovim()
  health.start('lsp_complete: Neovim')
  local v = tostring(vim.version())
  if vim.fn.has('nvim-0.11') == 0 then
    health.error('Neovim ' .. v .. ' is too old', { 'lsp_complete needs Neovim 0.11+ (vim.lsp.config, vim.lsp.enable)' })
    return false
  end
  health.ok('Neovim ' .. v)
  if vim.lsp.inline_completion then
    health.ok('vim.lsp.inline_completion is available: suggestions show as ghost text')
  else
    health.info('no vim.lsp.inline_completion (Neovim 0.12+): suggestions show in the completion menu (vim.lsp.completion)')
  end
  local inline, menu = require('lsp_complete').display()
  local shown = inline and menu and 'ghost text and the completion menu'
    or inline and 'ghost text'
    or menu and 'the completion menu'
    or 'nothing (mode = none)'
  health.info(("mode '%s': suggestions show as %s"):format(require('lsp_complete').options.mode, shown))
  return true
end

local function check_server()
  health.start('lsp_complete: server')
  local config = vim.lsp.config['lsp_complete']
  local cmd = config and config.cmd
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' then
    health.error('no server command configured', { "require('lsp_complete').setup({ cmd = { 'lsp-complete' } })" })
    return
  end
  local exe = cmd[1]
  if vim.fn.executable(exe) == 0 then
    health.error(("server executable '%s' not found (not on PATH and not a runnable file)"):format(exe), {
      'install the server: pip install lsp-complete (or pipx install lsp-complete)',
      "or give its full path: require('lsp_complete').setup({ cmd = { '/path/to/lsp-complete' } })",
    })
    return
  end
  health.ok(('server executable: %s'):format(vim.fn.exepath(exe)))
  local base = base_cmd(cmd)
  local version = run(vim.list_extend(vim.deepcopy(base), { '--version' }), config.cmd_env, 15000)
  if version.code ~= 0 then
    health.error(('`%s --version` failed (exit %s): %s'):format(table.concat(base, ' '), version.code, first_lines(version.stderr, 5)))
    return
  end
  health.ok(('`%s --version`: %s'):format(table.concat(base, ' '), vim.trim(version.stdout)))
  local conf = run(vim.list_extend(vim.deepcopy(base), { 'config' }), config.cmd_env, 15000)
  if conf.code == 0 then
    health.ok('configuration is valid (`lsp-complete config` exit 0)')
  elseif conf.code == 2 then
    health.error('configuration file is invalid: ' .. first_lines(conf.stderr ~= '' and conf.stderr or conf.stdout, 10), {
      'run `lsp-complete config` in a shell to see every value and its source',
    })
  else
    health.error(('`lsp-complete config` failed (exit %s): %s'):format(conf.code, first_lines(conf.stderr, 5)))
  end
end

local function check_session()
  health.start('lsp_complete: this session')
  local clients = require('lsp_complete').clients(false)
  if #clients == 0 then
    health.info("not running (start it with vim.lsp.enable('lsp_complete') and open a file)")
    return
  end
  local status = require('lsp_complete.status')
  for _, client in ipairs(clients) do
    health.ok(('client %d running on %d buffer(s), status: %s'):format(
      client.id,
      vim.tbl_count(client.attached_buffers),
      status.format(status.by_client[client.id])
    ))
  end
end

function M.check()
  if check_neovim() then
    check_server()
    check_session()
  end
end

return M
