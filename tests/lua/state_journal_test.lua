-- The state journal: a save of one entry appends a small record beside
-- the snapshot, readers see snapshot + records, a run's end compacts them,
-- a torn last record is ignored and reported, a corrupt earlier one
-- refuses the state.
local backend_init = require("luaform.backend_init")

local FILES = [[
for i = 1, 6 do
  resource("local_file", "f" .. i, { filename = "out/f" .. i .. ".txt", content = "file " .. i })
end
]]

-- An applied stack of six files whose state then lost f1, f2 and f3
-- through three one-entry saves (journal records); returns dir and the
-- snapshot's serial.
local function journaled_stack()
  local dir = new_stack(FILES)
  local _, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  local store = backend_init.open_state({ path = dir .. "/luaform.state.json" })
  store:lock("test")
  local doc = store:load()
  store:save()
  local serial = doc.serial
  for i = 1, 3 do
    doc.resources["local_file.f" .. i] = nil
    store:save("local_file.f" .. i)
  end
  store:unlock()
  return dir, serial
end

test("a one-entry save appends a record to the journal and leaves the snapshot as it was", function()
  local dir, serial = journaled_stack()
  local snapshot = read(dir .. "/luaform.state.json")
  expect(snapshot).to_contain('"local_file.f1"')
  local journal = read(dir .. "/luaform.state.json.journal")
  expect(journal).to_be_truthy()
  expect(#journal < #snapshot / 2).to_be(true)
  local listed, code = luaform(dir, "state", "list")
  expect(code).to_be(0)
  expect(listed).to_be("local_file.f4\nlocal_file.f5\nlocal_file.f6\n")
  local pulled = core.json_decode((luaform(dir, "state", "pull")))
  expect(pulled.serial).to_be(serial + 3)
  expect(pulled.resources["local_file.f1"]).to_be_nil()
end)

test("an apply ends with one compacted snapshot and no journal; the backup is the state it loaded", function()
  local dir = journaled_stack()
  local out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("3 added, 0 changed, 0 destroyed")
  expect(core.stat(dir .. "/luaform.state.json.journal")).to_be_nil()
  local st = state_of(dir)
  for i = 1, 6 do expect(st.resources["local_file.f" .. i]).to_be_truthy() end
  local backup = core.json_decode(read(dir .. "/luaform.state.json.backup"))
  expect(backup.resources["local_file.f1"]).to_be_nil()
  expect(backup.resources["local_file.f4"]).to_be_truthy()
end)

test("a torn last record is ignored and reported; the records before it count", function()
  local dir = journaled_stack()
  local path = dir .. "/luaform.state.json.journal"
  local journal = read(path)
  write(path, journal:sub(1, #journal - 5))
  local listed, code = luaform(dir, "state", "list")
  expect(code).to_be(0)
  expect(listed).to_match("Warning: [^\n]*luaform%.state%.json: ignored the journal's last record %(torn record")
  expect(listed).to_contain("local_file.f3\nlocal_file.f4\n")
  expect(listed).not_to_contain("local_file.f2\n")
end)

test("a corrupt record before the last refuses the state and leaves both files untouched", function()
  local dir = journaled_stack()
  local path = dir .. "/luaform.state.json.journal"
  local journal = read(path)
  local at = journal:find("local_file.f1", 1, true)
  write(path, journal:sub(1, at - 1) .. "X" .. journal:sub(at + 1))
  local snapshot = read(dir .. "/luaform.state.json")
  local out, code = luaform(dir, "state", "list")
  expect(code).to_be(1)
  expect(out).to_match("state file is corrupted %(journal record 1 at byte 0: checksum mismatch, and records follow it%)")
  out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(1)
  expect(out).to_contain("refusing to use it")
  expect(read(path)).to_be(journal:sub(1, at - 1) .. "X" .. journal:sub(at + 1))
  expect(read(dir .. "/luaform.state.json")).to_be(snapshot)
end)

-- The end of a killed run that had finished every operation: a journal
-- and nothing left to change.
test("an apply with nothing to change compacts a journal left by a killed run; plan and state pull leave it", function()
  local dir = journaled_stack()
  write(dir .. "/main.lua", FILES:gsub("for i = 1, 6", "for i = 4, 6"))
  local journal = dir .. "/luaform.state.json.journal"
  local before, code = luaform(dir, "state", "pull")
  expect(code).to_be(0)
  expect(select(2, luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
  expect(core.stat(journal)).to_be_truthy()
  local out
  out, code = luaform(dir, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain("0 added, 0 changed, 0 destroyed")
  expect(core.stat(journal)).to_be_nil()
  local snapshot = core.json_decode(read(dir .. "/luaform.state.json"))
  expect(snapshot.resources["local_file.f1"]).to_be_nil()
  expect(snapshot.resources["local_file.f4"]).to_be_truthy()
  expect(core.json_decode((luaform(dir, "state", "pull")))).to_equal(core.json_decode(before))
end)
