-- luaform.cli: the command line, in Terraform's conventions.
--
-- main(argv) parses global options (-chdir), picks the command, parses
-- its flags (-flag, -flag=value, -flag value; repeated -var), checks the
-- number of positional arguments (a command's max_args; nil: any), runs
-- it and returns the exit code. An error is printed once, as "Error: ..."
-- on one line with its file:line; a mistake in the command line (unknown
-- flag, bad flag value, extra argument) is followed by the command's
-- usage. Tracebacks only with LUAFORM_TRACE=1. The commands themselves
-- are in luaform.commands.
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
  console       Try expressions on the stack and its state (a Lua prompt)
  show          Show the state or a saved plan
  output        Show output values
  state         State inspection and surgery (list, show, mv, rm, pull, push, ...)
  import        Adopt an existing object: luaform import ADDRESS ID
  taint         Mark an object so that the next plan replaces it
  untaint       Take the taint mark off an object
  workspace     Workspaces (new, select, list, show, delete)
  force-unlock  Release a lock left by a run that died
  graph         Print the resource graph in Graphviz DOT
  providers     Print every type's schema: luaform providers schema -json
  docs          Show a type's argument and attribute reference (-markdown: all)
  types         Write Lua language server annotations for editors
  run           Run a Lua script with the engine's APIs
  aws           Call any AWS operation: luaform aws SERVICE OPERATION '{json}'
  test          Run *_test.lua files in a directory
  version       Show the version

Global options:
  -chdir=DIR    Switch to DIR before running the command
  -help         Show this help, or a command's help after its name]]

-- A mistake in the command line: main() prints it with the usage.
local function usage_error(fmt, ...)
  local e = errors.new(nil, fmt, ...)
  e.usage = true
  error(e, 0)
end

local BOOLS = { ["true"] = true, ["1"] = true, ["false"] = false, ["0"] = false }

-- The value of flag `name` of the given kind, from its text.
local function flag_value(name, kind, text)
  if kind == "bool" then
    if text == nil then return true end
    if BOOLS[text] == nil then usage_error('-%s=%s: expected true or false', name, text) end
    return BOOLS[text]
  elseif kind == "number" then
    return tonumber(text) or usage_error('-%s=%s: expected a number', name, text)
  elseif kind == "count" then
    local n = math.tointeger(tonumber(text))
    if not n or n < 1 then usage_error('-%s=%s: expected a positive integer', name, text) end
    return n
  end
  return text
end

-- Parses flags against spec {name = "bool"|"string"|"list"|"number"|
-- "count" (a positive integer)}; returns flags, positional args; raises a
-- usage error on an unknown flag or a bad value.
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
        usage_error("unknown flag -%s for %s", name, cmd)
      elseif kind == "bool" then
        flags[key] = flag_value(name, kind, value)
      else
        if value == nil then
          i = i + 1
          value = args[i]
          if value == nil then usage_error("flag -%s needs a value", name) end
        end
        if kind == "list" then
          flags[key] = flags[key] or {}
          table.insert(flags[key], value)
        else
          flags[key] = flag_value(name, kind, value)
        end
      end
    else
      pos[#pos + 1] = a
    end
    i = i + 1
  end
  return flags, pos
end

-- Refuses more positional arguments than the command takes.
local function check_arity(cmd, sub, pos)
  local max = sub.max_args
  if not max or #pos <= max then return end
  local extra = {}
  for i = max + 1, #pos do extra[#extra + 1] = string.format("%q", pos[i]) end
  if max == 0 then usage_error("luaform %s takes no arguments (got %s)", cmd, table.concat(extra, " ")) end
  usage_error("luaform %s takes at most %d argument%s (also got %s)", cmd, max, max == 1 and "" or "s",
    table.concat(extra, " "))
end

local function report(e, usage)
  e = errors.wrap(e)
  local msg = tostring(e)
  if type(e) == "string" and core.getenv("LUAFORM_TRACE") then msg = debug.traceback(msg) end
  if type(e) == "table" and e.usage and usage then msg = msg .. "\n\n" .. usage end
  io.stderr:write("Error: ", msg, "\n")
end

local HELP = { ["-help"] = true, ["--help"] = true, ["-h"] = true }

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
  local usage = cmd.help   -- of the (sub)command being run
  local ok, code = xpcall(function()
    local sub, full = cmd, name
    if cmd.subcommands then
      local s = table.remove(args, 1)
      if s == nil or HELP[s] then print(cmd.help); return s and 0 or 1 end
      sub = cmd.subcommands[s]
      if not sub then usage_error('unknown command "%s %s"', name, s) end
      full, usage = name .. " " .. s, sub.help
    end
    if sub.raw then
      if HELP[args[1]] then print(sub.help); return 0 end
      return sub.run({}, args) or 0
    end
    local flags, pos = M.parse(full, sub.flags or {}, args)
    if flags.help then print(sub.help); return 0 end
    check_arity(full, sub, pos)
    return sub.run(flags, pos) or 0
  end, function(e)
    if type(e) == "string" and core.getenv("LUAFORM_TRACE") then return debug.traceback(e, 2) end
    return e
  end)
  if not ok then report(code, usage); return 1 end
  return code
end

return M
