-- time_sleep: waits on create and/or destroy, as Terraform's time provider
-- has it. Used to give eventually consistent APIs time, and in luaform's
-- own tests of the walker: the wait yields to the event loop, so sleeps in
-- parallel branches of the graph overlap.
local core = require("luaform.core")

local M = {}

M.schema = {
  create_duration = { type = "string", optional = true, force_new = true },
  destroy_duration = { type = "string", optional = true, force_new = true },
  triggers = { type = "map", elem = "string", optional = true, force_new = true },
}

local function seconds(d)
  if d == nil then return 0 end
  local total = 0
  for n, unit in d:gmatch("([%d%.]+)(%a+)") do
    local mult = ({ ms = 0.001, s = 1, m = 60, h = 3600 })[unit]
    if not mult or not tonumber(n) then error('bad duration "' .. d .. '" (use e.g. 30s, 1m, 500ms)', 0) end
    total = total + tonumber(n) * mult
  end
  if d:gsub("[%d%.]+%a+", "") ~= "" then error('bad duration "' .. d .. '" (use e.g. 30s, 1m, 500ms)', 0) end
  return total
end

function M.create(_, args)
  core.sleep(seconds(args.create_duration))
  return {
    id = core.iso8601(core.time()), create_duration = args.create_duration,
    destroy_duration = args.destroy_duration, triggers = args.triggers,
  }
end

function M.read(_, _, prior) return prior end

function M.delete(_, _, attrs) core.sleep(seconds(attrs.destroy_duration)) end

return M
