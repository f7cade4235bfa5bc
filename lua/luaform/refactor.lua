-- luaform.refactor: moved{} and removed{} blocks, and the replacements a
-- user asks for (-replace=ADDR, `luaform taint`, replace_triggered_by).
--
-- moved{ from, to } renames state entries (a resource, its instances, or
-- a whole module; luaform.surgery.mv) in the state a command has just
-- loaded, so every workspace's state follows when it is next used; the
-- plan lists the moves ("# a has moved to b") and the next save keeps
-- them. A moved block whose `from` is no longer in the state is done and
-- does nothing. removed{ from, destroy = false } makes the plan forget the
-- objects under `from` instead of destroying them.
local errors = require("luaform.errors")
local surgery = require("luaform.surgery")

local M = {}

-- Applies cfg.moved to run.state; run.moves: the list of {from, to}.
function M.apply_moves(run)
  run.moves = {}
  for _, m in ipairs(run.cfg and run.cfg.moved or {}) do
    local from_type, to_type = surgery.type_of(m.from), surgery.type_of(m.to)
    if (from_type == nil) ~= (to_type == nil) then
      errors.raise(m.where, "moved: %s and %s must both be resources or both be modules", m.from, m.to)
    elseif from_type ~= to_type then
      errors.raise(m.where, "moved: resource type mismatch: %s is a %s, %s a %s (a move keeps the object; it cannot change its type)",
        m.from, from_type, m.to, to_type)
    end
    for _, addr in ipairs(run.cfg.order) do
      if surgery.matches(m.from, addr) then
        errors.raise(m.where, "moved: %s is still declared (%s); a move's source must be gone from the stack", addr, run.cfg.nodes[addr].where)
      end
    end
    if #surgery.select(run.state, m.from) > 0 then
      if #surgery.select(run.state, m.to) > 0 then
        errors.raise(m.where, "moved: cannot move %s to %s: both are in the state; remove one with luaform state rm", m.from, m.to)
      end
      local ok, moves = pcall(surgery.mv, run.state, m.from, m.to)
      if not ok then errors.raise(m.where, "moved: %s", errors.wrap(moves).message or tostring(moves)) end
      for _, mv in ipairs(moves) do run.moves[#run.moves + 1] = mv end
    end
  end
end

-- Checks the removed blocks against the config; returns the patterns whose
-- objects are to be forgotten (destroy = false).
function M.forgotten(cfg)
  local out = {}
  for _, r in ipairs(cfg.removed or {}) do
    for _, addr in ipairs(cfg.order) do
      if surgery.matches(r.from, addr) then
        errors.raise(r.where, "removed: %s is still declared (%s); delete its declaration, or this block",
          addr, cfg.nodes[addr].where)
      end
    end
    if r.destroy == false then out[#out + 1] = r.from end
  end
  return out
end

local NO_TRIGGERS = {}

-- Why an existing object must be replaced although its arguments allow an
-- update: "requested" (-replace), "tainted", "triggered"
-- (replace_triggered_by: a listed resource, or attribute, changes in
-- this plan), or nil.
function M.replace_reason(run, node, entry, by_addr)
  if not entry then return nil end
  if run.opts.replace then
    for _, r in ipairs(run.opts.replace) do
      if r == node.addr then return "requested" end
    end
  end
  if entry.tainted then return "tainted" end
  for _, t in ipairs(node.triggers or NO_TRIGGERS) do
    local ch = by_addr[t.addr]
    if ch and (ch.action == "replace" or ch.action == "create"
        or (ch.action == "update" and (t.attr == nil or (ch.changed and ch.changed[t.attr])))) then
      return "triggered"
    end
  end
  return nil
end

-- -replace=ADDR names a resource of the stack: an error otherwise.
function M.check_replace(run)
  for _, r in ipairs(run.opts.replace or {}) do
    local node = run.cfg.nodes[r]
    if not node or node.mode == "data" then
      errors.raise(nil, '-replace=%s: no resource "%s" in the stack (an instance\'s address, such as aws_subnet.a["x"])', r, r)
    end
  end
end

return M
