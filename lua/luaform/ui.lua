-- luaform.ui: writing to the terminal.
--
-- One printer per command: plain lines, progress lines (flushed at once,
-- so a user sees an apply advance), and colors unless -no-color, NO_COLOR
-- or output that is not a terminal.
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

return M
