-- luaform.cli: the command line, in Terraform's conventions.
--
-- main(argv) parses global options (-chdir), picks the command, parses
-- its flags (-flag, -flag=value, -flag value; repeated -var), runs it and
-- returns the exit code. An error is printed once, as "Error: ..." on
-- one line with its file:line; tracebacks only with LUAFORM_TRACE=1.
-- The commands themselves are in luaform.commands.
local core = require("luaform.core")
local errors = require("luaform.errors")

local M = {}

local USAGE = [[
Usage: luaform [-chdir=DIR] <command> [options]

Main commands:
  init          Prepare the stack directory
  validate      Check whether the stack is valid
  plan          Show the changes required by the stack
  apply         Create or update infrastructure
  destroy       Destroy the infrastructure of the stack

Other commands:
  show          Show the state or a saved plan
  output        Show output values
  state         State inspection (list, show)
  graph         Print the resource graph in Graphviz DOT
  run           Run a Lua script with the engine's APIs
  aws           Call any AWS operation: luaform aws SERVICE OPERATION '{json}'
  test          Run *_test.lua files in a directory
  version       Show the version

Global options:
  -chdir=DIR    Switch to DIR before running the command
  -help         Show this help, or a command's help after its name]]

-- Parses flags against spec {name = "bool"|"string"|"list"|"number"};
-- returns flags, positional args; raises on an unknown flag.
function M.parse(cmd, spec, args)
  local flags, pos = {}, {}
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "--" then
      for j = i + 1, #args do pos[#pos + 1] = args[j] end
      break
    end
    local name, value = a:match("^%-%-?([%w%-_]+)=(.*)$")
    if not name then name = a:match("^%-%-?([%a][%w%-_]*)$") end
    if name then
      local key = name:gsub("%-", "_")
      local kind = spec[key]
      if key == "help" or key == "h" then flags.help = true
      elseif not kind then
        error(errors.new(nil, "unknown flag -%s for %s (see luaform %s -help)", name, cmd, cmd), 0)
      elseif kind == "bool" then
        flags[key] = value == nil or value == "true" or value == "1"
      else
        if value == nil then
          i = i + 1
          value = args[i]
          if value == nil then error(errors.new(nil, "flag -%s needs a value", name), 0) end
        end
        if kind == "list" then
          flags[key] = flags[key] or {}
          table.insert(flags[key], value)
        elseif kind == "number" then
          flags[key] = tonumber(value) or error(errors.new(nil, "flag -%s expects a number", name), 0)
        else
          flags[key] = value
        end
      end
    else
      pos[#pos + 1] = a
    end
    i = i + 1
  end
  return flags, pos
end

local function report(e)
  e = errors.wrap(e)
  local msg = tostring(e)
  if type(e) == "string" and core.getenv("LUAFORM_TRACE") then msg = debug.traceback(msg) end
  io.stderr:write("Error: ", msg, "\n")
end

function M.main(argv)
  local args = { table.unpack(argv) }
  while args[1] and args[1]:match("^%-") do
    local a = table.remove(args, 1)
    local dir = a:match("^%-%-?chdir=(.+)$")
    if dir then
      local ok, err = core.chdir(dir)
      if not ok then report(errors.new(nil, "-chdir=%s: %s", dir, err)); return 1 end
    elseif a == "-help" or a == "--help" or a == "-h" then
      print(USAGE); return 0
    elseif a == "-version" or a == "--version" or a == "-v" then
      args = { "version" }
    else
      report(errors.new(nil, "unknown global option %s\n\n%s", a, USAGE)); return 1
    end
  end
  local name = table.remove(args, 1)
  if not name then print(USAGE); return 1 end
  local commands = require("luaform.commands")
  local cmd = commands[name]
  if not cmd then
    io.stderr:write(string.format('Error: unknown command "%s"\n\n%s\n', name, USAGE))
    return 1
  end
  local ok, code = xpcall(function()
    local sub = cmd
    if cmd.subcommands then
      local s = table.remove(args, 1)
      if s == nil or s == "-help" or s == "--help" then print(cmd.help); return s and 0 or 1 end
      sub = cmd.subcommands[s]
      if not sub then error(errors.new(nil, 'unknown command "%s %s"\n\n%s', name, s, cmd.help), 0) end
    end
    if sub.raw then
      if args[1] == "-help" or args[1] == "--help" then print(sub.help); return 0 end
      return sub.run({}, args) or 0
    end
    local flags, pos = M.parse(name, sub.flags or {}, args)
    if flags.help then print(sub.help); return 0 end
    return sub.run(flags, pos) or 0
  end, function(e)
    if type(e) == "string" and core.getenv("LUAFORM_TRACE") then return debug.traceback(e, 2) end
    return e
  end)
  if not ok then report(code); return 1 end
  return code
end

return M
