-- End-to-end test of `iptlint lsp` with a real client: headless Neovim.
-- Run: IPTLINT_BIN=target/debug/iptlint nvim --headless --clean -l tests/lsp/nvim_e2e.lua FIXTURE
-- Opens a copy of FIXTURE as rules.v4, then checks diagnostics, hover,
-- definition, references, rename, code actions and formatting. Any failed
-- check raises an error (non-zero exit).

local bin = assert(os.getenv('IPTLINT_BIN'), 'IPTLINT_BIN not set')
local fixture = assert(arg[1], 'usage: nvim -l nvim_e2e.lua FIXTURE')

local dir = vim.fn.tempname()
vim.fn.mkdir(dir, 'p')
local path = dir .. '/rules.v4'
vim.fn.writefile(vim.fn.readfile(fixture), path)

local checks = 0
local function check(cond, msg, ...)
  if not cond then
    error('FAILED: ' .. msg .. ' ' .. vim.inspect({ ... }), 2)
  end
  checks = checks + 1
end

vim.cmd.edit(path)
local buf = vim.api.nvim_get_current_buf()
local win = vim.api.nvim_get_current_win()
local stderr = {}
local id = vim.lsp.start({
  name = 'iptlint',
  cmd = { bin, 'lsp' },
  root_dir = dir,
}, { bufnr = buf })
check(id, 'client started')
local client = vim.lsp.get_client_by_id(id)
check(vim.wait(10000, function() return client.initialized end), 'initialized')
print('position encoding: ' .. client.offset_encoding)

-- Diagnostics.
check(vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end), 'diagnostics arrive')
local diags = vim.diagnostic.get(buf)
local by_code = {}
for _, d in ipairs(diags) do
  print(string.format('diagnostic %d:%d %s %s', d.lnum + 1, d.col, d.code, d.message:gsub('\n.*', '')))
  by_code[d.user_data and d.user_data.lsp and d.user_data.lsp.data and d.user_data.lsp.data.name or d.code] = d
end
local hb = by_code['host-bits-set']
check(hb, 'host-bits-set reported', diags)
check(hb.lnum == 9, 'host-bits-set on line 10', hb.lnum)

local function find(pattern)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local s = l:find(pattern, 1, true)
    if s then return i, s - 1 end
  end
  error('not found: ' .. pattern)
end

local function request(method, row, col, extra)
  vim.api.nvim_win_set_cursor(win, { row, col })
  local params = vim.lsp.util.make_position_params(win, client.offset_encoding)
  for k, v in pairs(extra or {}) do params[k] = v end
  local resp, err = client:request_sync(method, params, 5000, buf)
  check(resp and not err, method .. ' answered', err)
  return resp.result, resp.err
end

-- Hover on an option, a module, a chain.
local row, col = find('--ctstate')
local h = request('textDocument/hover', row, col + 3)
check(h and h.contents.value:find('ctstate', 1, true), 'hover on --ctstate', h)
check(h.contents.value:find('ESTABLISHED', 1, true), 'hover lists accepted values', h.contents.value)
print('hover --ctstate: ' .. h.contents.value:gsub('\n', ' | '):sub(1, 120))
row, col = find('-j SSH')
h = request('textDocument/hover', row, col + 4)
check(h and h.contents.value:find('chain SSH', 1, true), 'hover on chain', h)
check(h.contents.value:find('2 rules', 1, true), 'hover gives rule count', h.contents.value)
row, col = find('-m limit')
h = request('textDocument/hover', row, col + 4)
check(h and h.contents.value:find('limit', 1, true), 'hover on module', h)

-- Hover after non-ASCII text on the same line (columns in the negotiated encoding).
vim.api.nvim_buf_set_lines(buf, 10, 11, false, { '# accès SSH limité — see limit' })
-- (comment line: no hover; just make sure the server copes with the edit)
vim.wait(200)

-- Definition: from `-j SSH` to `:SSH`.
row, col = find('-j SSH')
local def = request('textDocument/definition', row, col + 4)
def = def[1] or def
check(def and def.range and def.range.start.line == 5 and def.range.start.character == 1, 'definition of SSH', def)

-- References: declaration, two -A SSH, one -j SSH.
local refs = request('textDocument/references', row, col + 4, { context = { includeDeclaration = true } })
check(refs and #refs == 4, 'four references to SSH', refs)

-- Rename SSH → SSH_IN everywhere.
local edit = request('textDocument/rename', row, col + 4, { newName = 'SSH_IN' })
check(edit and edit.changes, 'rename edit', edit)
vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding)
local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
check(not text:find('-A SSH ', 1, true) and not text:find(':SSH ', 1, true) and select(2, text:gsub('SSH_IN', '')) == 4,
  'renamed everywhere', text)
check(text:find('# accès SSH limité', 1, true), 'comments untouched by rename', text)

-- Renaming a built-in chain is refused with an error, and the server lives on.
row, col = find('-A INPUT -i lo')
vim.api.nvim_win_set_cursor(win, { row, col + 4 })
local p = vim.lsp.util.make_position_params(win, client.offset_encoding)
p.newName = 'FOO'
local resp = client:request_sync('textDocument/rename', p, 5000, buf)
check(resp and resp.err, 'renaming INPUT refused', resp)

-- Code actions on the host-bits-set line: the fix and "disable".
check(vim.wait(5000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.lnum == 9 then return true end
  end
end), 'diagnostics after rename')
local ca_params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = { start = { line = 9, character = 0 }, ['end'] = { line = 9, character = 5 } },
  context = { diagnostics = {} },
}
local ca = client:request_sync('textDocument/codeAction', ca_params, 5000, buf)
check(ca and ca.result, 'code actions', ca)
local titles = {}
for _, a in ipairs(ca.result) do table.insert(titles, a.title) end
print('code actions: ' .. table.concat(titles, '; '))
local disable
for _, a in ipairs(ca.result) do
  if a.title:find('Disable host-bits-set', 1, true) then disable = a end
end
check(disable, 'disable action offered', titles)
check(#ca.result >= 2, 'a fix and a disable action', titles)

-- Formatting: canonical spelling, comments kept.
vim.lsp.buf.format({ bufnr = buf, async = false, timeout_ms = 5000 })
local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
check(vim.tbl_contains(lines, '-A INPUT -p tcp -m tcp --dport 22 -j SSH_IN'), 'formatted rule', lines)
check(lines[1]:find('😀', 1, true), 'comment kept', lines[1])
check(lines[11] == '# accès SSH limité — see limit', 'comment line kept in place', lines)

-- Apply the disable action: the finding goes away.
vim.lsp.util.apply_workspace_edit(disable.edit, client.offset_encoding)
check(vim.wait(5000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local name = d.user_data and d.user_data.lsp and d.user_data.lsp.data and d.user_data.lsp.data.name
    if name == 'host-bits-set' then return false end
  end
  return true
end), 'disable directive silences the finding', vim.diagnostic.get(buf))

-- An error: diagnostics at the right column after non-ASCII text, formatting refused.
vim.api.nvim_buf_set_lines(buf, 0, 1, false, { '# Serveur web — règles «de test» 😀 -A' })
local bad = '-A INPUT -i lo -m comment --comment "règle «lo» 😀" -j ACCEPTT'
vim.api.nvim_buf_set_lines(buf, 6, 7, false, { bad })
check(vim.wait(5000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.severity == vim.diagnostic.severity.ERROR then return true end
  end
end), 'error reported after an edit')
for _, d in ipairs(vim.diagnostic.get(buf)) do
  if d.severity == vim.diagnostic.severity.ERROR then
    -- Neovim reports byte columns: the server's column, converted, must
    -- land exactly on the word after the multi-byte comment.
    check(d.lnum == 6 and d.col == bad:find('ACCEPTT', 1, true) - 1, 'error on ACCEPTT', d)
  end
end
local before = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
local fp = { textDocument = { uri = vim.uri_from_bufnr(buf) }, options = { tabSize = 4, insertSpaces = true } }
resp = client:request_sync('textDocument/formatting', fp, 5000, buf)
check(resp and resp.err, 'formatting refused on a file with errors', resp)

client:stop()
vim.wait(2000, function() return client:is_stopped() end)
print(string.format('nvim e2e: %d checks passed', checks))
os.exit(0)
