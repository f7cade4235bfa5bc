-- luaform.commands.state: `luaform state list|show|mv|rm|pull|push`.
--
-- The state is the stack's (its backend and current workspace; the stack
-- is evaluated for its backend only, missing variables allowed), or the
-- file given with -state. Commands that change it take the lock, change
-- the document in memory and save once, so a failure leaves it as it was.
-- mv with -state-out moves entries into another local state file.
local core = require("luaform.core")
local errors = require("luaform.errors")
local render = require("luaform.render")
local state = require("luaform.state")
local surgery = require("luaform.surgery")
local ui = require("luaform.ui")

local M = {}

-- Opens the state (locked when operation is given); returns store, doc.
local function open_store(flags, operation)
  local store = state.open({ path = flags.state, backend = not flags.state and state.stack_backend() or nil })
  if operation then
    store:lock(operation, require("luaform.duration")(flags.lock_timeout))
  end
  local ok, doc = pcall(store.load, store)
  if not ok then store:unlock(); error(doc, 0) end
  return store, doc
end

-- Runs fn(store, doc) with the lock held; saves when fn returns true.
local function change(flags, operation, fn)
  local store, doc = open_store(flags, operation)
  local ok, res = pcall(fn, store, doc)
  if ok and res then
    ok, res = pcall(store.save, store)
  end
  store:unlock()
  if not ok then error(res, 0) end
  return 0
end

local LOCK_FLAGS = { state = "string", lock_timeout = "string", dry_run = "bool" }

M.list = {
  flags = { state = "string" },
  help = "Usage: luaform state list [ADDRESS...]\n\n  Lists the resources in the state, or those under the given addresses.",
  run = function(flags, pos)
    local _, st = open_store(flags)
    for _, a in ipairs(state.addresses(st)) do
      local show = #pos == 0
      for _, p in ipairs(pos) do show = show or surgery.matches(p, a) end
      if show then print(a) end
    end
    return 0
  end,
}

M.show = {
  flags = { state = "string", no_color = "bool" },
  help = "Usage: luaform state show ADDRESS\n\n  Shows one resource's attributes (sensitive ones hidden).",
  max_args = 1,
  run = function(flags, pos)
    if not pos[1] then errors.raise(nil, "state show needs an address") end
    local _, st = open_store(flags)
    local e = st.resources[pos[1]]
    if not e then errors.raise(nil, 'no resource "%s" in the state', pos[1]) end
    render.resource(ui.new(flags), pos[1], e)
    return 0
  end,
}

M.mv = {
  flags = { state = "string", state_out = "string", lock_timeout = "string", dry_run = "bool" },
  max_args = 2,
  help = [[
Usage: luaform state mv [options] SOURCE DESTINATION

  Renames a resource, every instance of a resource, or a whole module in
  the state (aws_vpc.main, aws_subnet.public, module.net). The objects
  themselves are not touched; dependencies follow the new names.

Options:
  -state-out=FILE    Move into this local state file instead (created if missing)
  -dry-run           Print what would move; change nothing
  -state=FILE        Work on this local state file instead of the stack's
  -lock-timeout=DUR  Wait this long for the state lock]],
  run = function(flags, pos)
    if #pos ~= 2 then errors.raise(nil, "state mv needs SOURCE and DESTINATION") end
    return change(flags, "state mv", function(_, st)
      local out_store, out_doc
      if flags.state_out then
        out_store = state.open({ path = flags.state_out })
        out_store:lock("state mv", require("luaform.duration")(flags.lock_timeout))
        out_doc = out_store:load()
      end
      local ok, moves = pcall(surgery.mv, st, pos[1], pos[2], out_doc)
      local saved, serr = true, nil
      if ok and not flags.dry_run and out_store then saved, serr = pcall(out_store.save, out_store) end
      if out_store then out_store:unlock() end
      if not ok then error(moves, 0) end
      if not saved then error(serr, 0) end
      for _, m in ipairs(moves) do
        print(string.format("%s %s to %s", flags.dry_run and "Would move" or "Moved", m.from, m.to))
      end
      if not flags.dry_run then print(string.format("Successfully moved %d object(s).", #moves)) end
      return not flags.dry_run
    end)
  end,
}

M.rm = {
  flags = LOCK_FLAGS,
  help = [[
Usage: luaform state rm [options] ADDRESS...

  Makes luaform forget resources (or whole modules): they stay in AWS,
  and are no longer managed by this stack.

Options:
  -dry-run           Print what would be removed; change nothing
  -state=FILE        Work on this local state file instead of the stack's
  -lock-timeout=DUR  Wait this long for the state lock]],
  run = function(flags, pos)
    if #pos == 0 then errors.raise(nil, "state rm needs at least one address") end
    return change(flags, "state rm", function(_, st)
      local n = 0
      for _, p in ipairs(pos) do
        for _, addr in ipairs(surgery.rm(st, p)) do
          n = n + 1
          print(string.format("%s %s", flags.dry_run and "Would remove" or "Removed", addr))
        end
      end
      if not flags.dry_run then print(string.format("Successfully removed %d resource instance(s).", n)) end
      return not flags.dry_run
    end)
  end,
}

M.pull = {
  flags = { state = "string" },
  help = "Usage: luaform state pull\n\n  Prints the stack's current state as JSON (from its backend).",
  max_args = 0,
  run = function(flags)
    local _, st = open_store(flags)
    print(core.json_encode(st, { pretty = true }))
    return 0
  end,
}

M.push = {
  flags = { state = "string", force = "bool", lock_timeout = "string" },
  max_args = 1,
  help = [[
Usage: luaform state push [options] FILE

  Replaces the stack's state with FILE ("-" for standard input). Refused
  when FILE has another lineage or an older serial than the current state,
  unless -force.

Options:
  -force             Push even then
  -lock-timeout=DUR  Wait this long for the state lock]],
  run = function(flags, pos)
    local path = pos[1]
    if not path then errors.raise(nil, "state push needs a file") end
    local src, rerr
    if path == "-" then src = io.stdin:read("a") else src, rerr = core.read_file(path) end
    if not src then errors.raise(nil, "cannot read %s: %s", path, tostring(rerr)) end
    local doc, jerr = core.json_decode(src, path)
    if type(doc) ~= "table" or type(doc.resources) ~= "table" or not doc.lineage then
      errors.raise(nil, "%s is not a luaform state%s", path, jerr and (": " .. jerr) or "")
    end
    return change(flags, "state push", function(store, cur)
      if not store.fresh and not flags.force then
        if doc.lineage ~= cur.lineage then
          errors.raise(nil, "cannot push %s: its lineage %s differs from the current state's %s (use -force to replace it)",
            path, doc.lineage, cur.lineage)
        end
        if (doc.serial or 0) < cur.serial then
          errors.raise(nil, "cannot push %s: its serial %d is older than the current state's %d (use -force)",
            path, doc.serial or 0, cur.serial)
        end
      end
      doc.outputs = doc.outputs or {}
      doc.serial = math.max(doc.serial or 0, cur.serial)
      store.doc = doc
      return true
    end)
  end,
}

M["import-terraform"] = {
  flags = { state = "string", force = "bool", lock_timeout = "string" },
  max_args = 1,
  help = [[
Usage: luaform state import-terraform [options] TERRAFORM.tfstate

  Converts a Terraform state (format version 4) into this stack's state:
  same addresses and module paths, for every type luaform supports. The
  instances it cannot carry over are listed. The stack's state must be
  empty unless -force.

Options:
  -force             Replace a non-empty state
  -lock-timeout=DUR  Wait this long for the state lock]],
  run = function(flags, pos)
    local path = pos[1]
    if not path then errors.raise(nil, "state import-terraform needs a Terraform state file") end
    local src, rerr = core.read_file(path)
    if not src then errors.raise(nil, "cannot read %s: %s", path, tostring(rerr)) end
    local doc, jerr = core.json_decode(src, path)
    if doc == nil then errors.raise(nil, "%s", jerr) end
    local converted, skipped = require("luaform.tfstate").convert(doc, path)
    return change(flags, "state import-terraform", function(store, cur)
      if #state.addresses(cur) > 0 and not flags.force then
        errors.raise(nil, "the stack's state already manages %d resource(s); use -force to replace it",
          #state.addresses(cur))
      end
      converted.serial = math.max(converted.serial, cur.serial)
      store.doc = converted
      for _, a in ipairs(state.addresses(converted)) do print("Imported " .. a) end
      for _, s in ipairs(skipped) do print(string.format("Skipped %s: %s", s.address, s.reason)) end
      print(string.format("Imported %d resource instance(s) from %s; %d skipped.",
        #state.addresses(converted), path, #skipped))
      return true
    end)
  end,
}

return M
