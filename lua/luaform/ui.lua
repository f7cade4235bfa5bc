-- luaform.ui: writing to the terminal.
--
-- One printer per command: plain lines, progress lines (flushed at once,
-- so a user sees an apply advance), and colors unless -no-color, NO_COLOR
-- or output that is not a terminal. It is also the human view of apply
-- and destroy (plan, progress, summary, outputs, failures): the same
-- methods as luaform.jsonview, which writes them as JSON lines (-json).
local core = require("luaform.core")

local M = {}
local UI = {}
UI.__index = UI

local COLORS = { green = "32", yellow = "33", red = "31", bold = "1", cyan = "36" }

function M.new(opts)
  opts = opts or {}
  local color = not opts.no_color and core.getenv("NO_COLOR") == nil and core.isatty(1)
  return setmetatable({ color = color, stream = opts.stream or io.stdout }, UI)
end

-- An elapsed time in whole seconds (rounded), as both views report it.
function M.whole_seconds(seconds) return math.floor(seconds + 0.5) end

-- "7s", "1m5s": Terraform's elapsed time.
function M.elapsed(seconds)
  local s = M.whole_seconds(seconds)
  if s >= 60 then return string.format("%dm%ds", s // 60, s % 60) end
  return s .. "s"
end

function UI:paint(name, s)
  if not self.color then return s end
  return "\27[" .. COLORS[name] .. "m" .. s .. "\27[0m"
end

function UI:print(fmt, ...)
  local s = select("#", ...) > 0 and string.format(fmt, ...) or fmt
  self.stream:write(s, "\n")
end

function UI:progress(fmt, ...)
  self:print(fmt, ...)
  self.stream:flush()
end

---------------------------------------------------------------- apply view
-- Terraform's words for an operation (action "create", "update" or
-- "delete") starting and ending, and for the end of a run.
local STARTING = { create = "Creating...", update = "Modifying...", delete = "Destroying..." }
local DONE = { create = "Creation complete", update = "Modifications complete", delete = "Destruction complete" }
local STILL = { create = "Still creating...", update = "Still modifying...", delete = "Still destroying..." }

-- verb: "Apply" or "Destroy".
function M.summary_text(verb, plan)
  if verb == "Destroy" then return string.format("Destroy complete! Resources: %d destroyed.", plan.destroy) end
  return string.format("Apply complete! Resources: %d added, %d changed, %d destroyed.",
    plan.add, plan.change, plan.destroy)
end

-- "ADDR: Creating..." and "ADDR: Creation complete after 1s [id=ID]";
-- the id when given.
local function id_suffix(id) return id ~= nil and string.format(" [id=%s]", tostring(id)) or "" end

function M.start_text(addr, action, id)
  return string.format("%s: %s%s", addr, STARTING[action], id_suffix(id))
end

-- "ADDR: Still creating... [10s elapsed]", while an operation runs.
function M.progress_text(addr, action, seconds)
  return string.format("%s: %s [%s elapsed]", addr, STILL[action], M.elapsed(seconds))
end

function M.complete_text(addr, action, id, seconds)
  return string.format("%s: %s after %s%s", addr, DONE[action], M.elapsed(seconds), id_suffix(id))
end

function UI:apply_start(addr, action, id) self:progress("%s", M.start_text(addr, action, id)) end

function UI:apply_progress(addr, action, seconds) self:progress("%s", M.progress_text(addr, action, seconds)) end

function UI:apply_complete(addr, action, id, seconds)
  self:progress("%s", M.complete_text(addr, action, id, seconds))
end

function UI:plan(plan)
  require("luaform.render").plan(self, plan)
end

function UI:summary(verb, plan)
  self:print("\n%s", M.summary_text(verb, plan))
end

-- "NAME = value" per output, by name, sensitive values hidden (also the
-- `output` command's listing).
function UI:output_lines(outputs)
  local render = require("luaform.render")
  for _, k in ipairs(require("luaform.schema").sorted_keys(outputs)) do
    local o = outputs[k]
    self:print("%s = %s", k, o.sensitive and "<sensitive>" or render.value(o.value))
  end
end

function UI:outputs(outputs)
  if next(outputs) == nil then return end
  self:print("\nOutputs:\n")
  self:output_lines(outputs)
end

-- An operation that failed (the run goes on with what does not need it).
function UI:failure(addr, err)
  io.stderr:write("Error: ", addr, ": ", require("luaform.errors").tostring(err), "\n")
end

-- What Ctrl-C number count (1 or 2) does, in Terraform's words.
function M.interrupt_text(count)
  if count == 1 then
    return "Interrupt received.\nPlease wait for luaform to exit or data loss may occur.\nGracefully shutting down..."
  end
  return "Two interrupts received. Exiting immediately. Note that data loss may have occurred."
end

-- Said as soon as an interrupt arrives (Terraform: the first on stdout,
-- the second on stderr).
function UI:interrupt_received(count)
  local stream = count == 1 and self.stream or io.stderr
  stream:write("\n", M.interrupt_text(count), "\n")
  stream:flush()
end

-- status: "interrupted" (first Ctrl-C) or "aborted" (second); at the end.
function UI:interrupted(status)
  io.stderr:write("Error: interrupted: ", status == "aborted" and "stopped at once" or
    "stopped after the operations in flight", "; the state is saved\n")
end

return M
