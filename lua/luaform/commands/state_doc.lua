-- luaform.commands.state_doc: the state document a state command works
-- on (the stack's backend and workspace, or -state=FILE), opened and
-- locked, for `luaform state ...`, `taint` and `untaint`.
local backend_init = require("luaform.backend_init")

local M = {}

-- Opens the state (locked when operation is given); returns store, doc.
function M.open(flags, operation)
  local backend, encryption = backend_init.of_stack()
  local store = backend_init.open_state({ path = flags.state, backend = not flags.state and backend or nil, encryption = encryption })
  store.encryption = encryption
  if operation then
    store:lock(operation, require("luaform.duration")(flags.lock_timeout))
  end
  local ok, doc = pcall(store.load, store)
  if not ok then store:unlock(); error(doc, 0) end
  return store, doc
end

-- Runs fn(store, doc) with the lock held; saves when fn returns true.
function M.change(flags, operation, fn)
  local store, doc = M.open(flags, operation)
  local ok, res = pcall(fn, store, doc)
  if ok then   -- no change: a journal found is still compacted (luaform.state's compact)
    ok, res = pcall(res and store.save or store.compact, store)
  end
  store:unlock()
  if not ok then error(res, 0) end
  return 0
end

return M
