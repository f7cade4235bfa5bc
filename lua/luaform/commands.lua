-- luaform.commands: what each CLI command does.
--
-- A stack command evaluates main.lua first (bad input fails before any
-- state is touched), then opens the state store, takes its lock for the
-- whole command, refreshes, plans, and - for apply and destroy - walks the
-- plan, saving state after every operation (and not at all when nothing
-- changed, so the serial that saved plans are bound to stays). Saved
-- plans are luaform.planfile; apply and destroy report on a view,
-- luaform.ui or, with -json, luaform.jsonview. Exit codes follow
-- Terraform: 0 success, 1 error, and with plan -detailed-exitcode 2 for
-- "changes".
local backend_init = require("luaform.backend_init")
local core = require("luaform.core")
local deferred = require("luaform.deferred")
local dsl = require("luaform.dsl")
local errors = require("luaform.errors")
local planner = require("luaform.plan")
local planfile = require("luaform.planfile")
local render = require("luaform.render")
local state = require("luaform.state")
local ui = require("luaform.ui")
local values = require("luaform.values")

local C = {}

local STACK_FLAGS = {
  var = "list", var_file = "list", target = "list", refresh = "bool", parallelism = "count",
  no_color = "bool", json = "bool", lock_timeout = "string", lock = "bool", state = "string",
  replace = "list", refresh_only = "bool",
}

local function flags_with(extra)
  local t = {}
  for k, v in pairs(STACK_FLAGS) do t[k] = v end
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

local function parse_vars(list)
  local vars = {}
  for _, kv in ipairs(list or {}) do
    local k, v = kv:match("^([%w_]+)=(.*)$")
    if not k then errors.raise(nil, '-var expects NAME=VALUE, got "%s"', kv) end
    vars[k] = v
  end
  return vars
end

local seconds = require("luaform.duration")

local function evaluate(flags, extra_vars)
  local vars = parse_vars(flags.var)
  for k, v in pairs(extra_vars or {}) do vars[k] = v end
  return dsl.evaluate({ vars = vars, var_files = flags.var_file, workspace = require("luaform.workspace").current() })
end

-- Evaluates, opens and locks the state; the caller must run:close().
-- out: where the run reports (default: a luaform.ui printer).
local function open_run(flags, operation, extra_vars, out)
  local run = {
    opts = { parallelism = flags.parallelism or 10, targets = flags.target, replace = flags.replace },
    out = out or ui.new({ no_color = flags.no_color }),
    dir = ".",
  }
  run.cfg = evaluate(flags, extra_vars)
  run.store = backend_init.open_state({ backend = run.cfg.backend, path = flags.state, encryption = run.cfg.encryption })
  if operation and flags.lock ~= false then
    run.store:lock(operation, seconds(flags.lock_timeout), operation == "plan")  -- plan writes no state
  end
  function run.close() run.store:unlock() end
  local ok, st = pcall(run.store.load, run.store)
  if not ok then run.close(); error(st, 0) end
  run.state = st
  ok, st = pcall(require("luaform.refactor").apply_moves, run)
  if not ok then run.close(); error(st, 0) end
  return run
end

local function with_run(flags, operation, fn, extra_vars, out)
  local run = open_run(flags, operation, extra_vars, out)
  local ok, res = pcall(fn, run)
  if ok and operation == "apply" then   -- an apply with nothing to do still migrates the encryption
    local sealed, err = pcall(run.store.reseal, run.store)
    if not sealed then ok, res = false, err end
  end
  if ok and operation ~= "plan" then   -- and compacts a journal it found (plan writes no state)
    local compacted, err = pcall(run.store.compact, run.store)
    if not compacted then ok, res = false, err end
  end
  run.close()
  if not ok then error(res, 0) end
  return res
end

local function make_plan(run, flags)
  require("luaform.refactor").check_replace(run)
  if flags.refresh_only then
    -- only the drift: applying it records what the refresh found, and
    -- the moves of moved{} blocks, without changing any object
    if flags.destroy or (flags.replace and #flags.replace > 0) then
      errors.raise(nil, "-refresh-only cannot be combined with -destroy or -replace")
    end
    planner.refresh(run)
    return planner.count({ changes = {}, by_addr = {}, lineage = run.state.lineage, serial = run.state.serial,
      is_destroy = false, drift = run.drift or {}, imports = {}, moves = run.moves or {}, refresh_only = true })
  end
  if flags.refresh ~= false then planner.refresh(run) end
  if not run.opts.destroy then run.imports = require("luaform.importer").plan_imports(run) end
  return planner.diff(run)
end

-- check{} blocks: a false assertion is a warning (luaform.conditions).
local function warn_checks(run, lookup, at_apply)
  if not run.cfg then return end
  for _, w in ipairs(require("luaform.conditions").check_blocks(run.cfg, lookup, at_apply)) do
    run.out:print("\nWarning: %s", w)
  end
end

---------------------------------------------------------------- plan
C.plan = {
  flags = flags_with({ out = "string", detailed_exitcode = "bool", destroy = "bool", markdown = "bool" }),
  max_args = 0,
  help = [[
Usage: luaform plan [options]

  Shows the changes that apply would make.

Options:
  -out=FILE            Save the plan to FILE for "luaform apply FILE"
  -destroy             Plan to destroy everything
  -detailed-exitcode   Exit 0: no changes, 1: error, 2: changes
  -var NAME=VALUE      Set a variable (repeatable); also -var-file=FILE
  -target=ADDR         Plan only ADDR and what it depends on (repeatable)
  -replace=ADDR        Replace ADDR even if an update would do (repeatable)
  -refresh=false       Do not read the real objects first
  -refresh-only        Only record in the state what changed outside luaform
  -parallelism=N       Operations in flight at once (default 10)
  -json                Terraform's machine-readable UI (JSON lines)
  -markdown            A summary for a pull request comment (Markdown)
  -lock-timeout=DUR    Wait this long for the state lock (e.g. 30s)
  -lock=false          Do not take the state lock (dangerous with others at work)
  -state=FILE          Use this local state file instead of the stack's backend
  -no-color            No colors (also NO_COLOR)]],
  run = function(flags)
    local view = flags.json and require("luaform.jsonview").new() or nil
    local ok, res = pcall(with_run, flags, "plan", function(run)
      run.opts.destroy = flags.destroy
      if flags.refresh_only and flags.out then errors.raise(nil, "-refresh-only plans cannot be saved with -out; run apply -refresh-only") end
      local plan = make_plan(run, flags)
      if view then view:plan(plan); view:planned_outputs(plan)
      elseif flags.markdown then io.stdout:write(require("luaform.markdown").plan(plan))
      else render.plan(run.out, plan) end
      if not view and not flags.markdown then
        warn_checks(run, function(addr) local ch = plan.by_addr[addr]; return ch and ch.after or deferred.UNKNOWN end)
      end
      if flags.out then
        planfile.save(flags.out, run, plan,
          { vars = parse_vars(flags.var), var_files = flags.var_file, targets = flags.target, replace = flags.replace })
        run.out:print('\nSaved the plan to: %s\nTo perform exactly these actions, run: luaform apply "%s"',
          flags.out, flags.out)
      end
      -- a plan that changes only outputs has something to apply, too
      if flags.detailed_exitcode and (plan.has_changes or plan.outputs_changed) then return 2 end
      return 0
    end, nil, view)
    if ok then return res end
    if not view then error(res, 0) end
    view:diagnostic(errors.wrap(res))
    return 1
  end,
}

---------------------------------------------------------------- apply
local function confirm(out, what)
  out:print("\nDo you want to %s?\n  Only 'yes' will be accepted to approve.\n", what)
  io.stdout:write("  Enter a value: ")
  io.stdout:flush()
  local answer = io.stdin:read("l")
  out:print("")
  return answer == "yes"
end

-- With nothing to apply: updates the outputs, and writes the state only if
-- they or the refresh changed it; otherwise its serial stays, and so do
-- the plans saved from it.
local function save_if_changed(run, plan)
  local before = run.state.outputs
  require("luaform.apply").update_outputs(run, plan)
  if run.refreshed or not values.deep_equal(before, run.state.outputs) then run.store:save() end
end

-- Shows the plan, asks (unless approved), applies it and reports on
-- run.out, the human (luaform.ui) or the -json view (luaform.jsonview).
local function execute(run, plan, flags, verb)
  local out = run.out
  if not plan.has_changes and not plan.outputs_changed then
    out:plan(plan)
    save_if_changed(run, plan)
    out:summary(verb, plan)
    out:outputs(run.state.outputs)
    return 0
  end
  out:plan(plan)
  if not flags.auto_approve and not flags.planned then
    if not confirm(out, verb == "Destroy" and "really destroy all resources" or "perform these actions") then
      out:print("%s cancelled.", verb)
      return 1
    end
  end
  local status, failures = require("luaform.apply").apply(run, plan)
  if #(run.moves or {}) > 0 then run.store:save() end   -- moved{}: the renamed entries
  if status == "interrupted" or status == "aborted" then
    out:interrupted(status)
    return 1
  end
  if #failures > 0 then
    for _, f in ipairs(failures) do out:failure(f.addr, f.err) end
    return 1
  end
  out:summary(verb, plan)
  out:outputs(run.state.outputs)
  if verb == "Apply" then
    warn_checks(run, function(addr) local e = run.state.resources[addr]; return e and e.attributes or deferred.UNKNOWN end, true)
  end
  return 0
end

-- Runs apply or destroy: fn(out) with the view it reports on. With -json
-- that is a JSON-lines stream from the first line on; an error ends it as
-- a diagnostic line (exit 1), and as nothing can be asked in it, an
-- apply needs -auto-approve or a saved plan.
local function with_view(flags, planned, fn)
  if not flags.json then return fn(ui.new({ no_color = flags.no_color })) end
  local view = require("luaform.jsonview").new()
  local ok, res = pcall(function()
    if not flags.auto_approve and not planned then
      errors.raise(nil, "-json needs -auto-approve or a saved plan: there is no asking for approval in a JSON stream")
    end
    return fn(view)
  end)
  if ok then return res end
  view:diagnostic(errors.wrap(res))
  return 1
end

C.apply = {
  flags = flags_with({ auto_approve = "bool", destroy = "bool" }),
  max_args = 1,
  help = [[
Usage: luaform apply [options] [PLANFILE]

  Creates or updates infrastructure. With PLANFILE, carries out a plan saved
  by "luaform plan -out", only if the state has not changed since and the
  stack still plans the same actions and values.

Options:
  -auto-approve        Do not ask for confirmation
  -destroy             Destroy everything (same as luaform destroy)
  -json                Report as JSON lines (needs -auto-approve or PLANFILE)
  -var, -var-file, -target, -replace, -refresh, -parallelism, -lock-timeout,
  -lock, -state, -no-color: as for plan]],
  run = function(flags, pos)
    local path = pos[1]
    return with_view(flags, path ~= nil, function(out)
      if not path then
        return with_run(flags, "apply", function(run)
          run.opts.destroy = flags.destroy
          return execute(run, make_plan(run, flags), flags, flags.destroy and "Destroy" or "Apply")
        end, nil, out)
      end
      local doc = planfile.load(path, select(2, backend_init.of_stack()))
      flags.var, flags.var_file, flags.target, flags.replace = {}, doc.var_files, doc.targets, doc.replace
      return with_run(flags, "apply", function(run)
        planfile.check_state(path, doc, run)
        planfile.restore_refresh(doc, run)
        run.opts.destroy = doc.destroy
        if not doc.destroy then run.imports = require("luaform.importer").plan_imports(run) end
        local plan = planner.diff(run)
        planfile.check_plan(path, doc, run, plan)
        flags.planned = true
        return execute(run, plan, flags, doc.destroy and "Destroy" or "Apply")
      end, doc.vars, out)
    end)
  end,
}

C.destroy = {
  flags = flags_with({ auto_approve = "bool" }),
  max_args = 0,
  help = [[
Usage: luaform destroy [options]

  Destroys every object of the stack, in reverse dependency order.

Options:
  -auto-approve        Do not ask for confirmation
  -target=ADDR         Destroy only ADDR and what depends on it
  -json                Report as JSON lines (needs -auto-approve)
  -var, -var-file, -parallelism, -lock-timeout, -no-color: as for plan]],
  run = function(flags)
    return with_view(flags, false, function(out)
      return with_run(flags, "destroy", function(run)
        run.opts.destroy = true
        return execute(run, make_plan(run, flags), flags, "Destroy")
      end, nil, out)
    end)
  end,
}

---------------------------------------------------------------- others
C.console = {
  flags = { var = "list", var_file = "list", state = "string" },
  max_args = 0,
  help = [[
Usage: luaform console [options]

  A Lua prompt with the stack evaluated and its state loaded: try the
  functions (cidrsubnet("10.0.0.0/16", 8, 2)) and read values by their
  Terraform names (aws_vpc.main.id, module.net.vpc_id, var.name). With
  line editing on a terminal; from a pipe it runs each line, stopping at
  the first error:  echo 'cidrhost("10.0.0.0/24", 5)' | luaform console

Options:
  -var NAME=VALUE      Set a variable (repeatable); also -var-file=FILE
  -state=FILE          Use this local state file instead of the stack's]],
  run = function(flags)
    return with_run(flags, nil, function(run) return require("luaform.console").run(run.cfg, run.state) end)
  end,
}

C.validate = {
  flags = { var = "list", var_file = "list", json = "bool", no_color = "bool" },
  max_args = 0,
  help = "Usage: luaform validate [-json]\n\n  Evaluates the stack and checks every resource's arguments; calls no provider."
    .. "\n  -json prints Terraform's validate format.",
  run = function(flags)
    local ok, err = pcall(function() planner.order(evaluate(flags)) end)
    if flags.json then
      print(core.json_encode(require("luaform.tfjson").validate(not ok and err or nil), { pretty = true }))
      return ok and 0 or 1
    end
    if not ok then error(err, 0) end
    print("Success! The configuration is valid.")
    return 0
  end,
}

C.init = {
  flags = { upgrade = "bool", no_color = "bool", migrate_state = "bool", force_copy = "bool",
            backend_config = "list", reconfigure = "bool" },
  max_args = 0,
  help = [[
Usage: luaform init [-upgrade] [-migrate-state] [-reconfigure] [-backend-config=...]

  Prepares the stack directory: fetches the git module sources the stack
  uses into .luaform/modules/ and records their exact commits in
  luaform.lock.json (later runs use those commits without the network),
  and records the stack's backend.

Options:
  -upgrade         Resolve every module ref again (a branch's head, the
                   newest tag matching a pattern) and move the lock
  -migrate-state   The backend changed: move the state of every workspace
                   from the previous backend to the new one (local to S3,
                   or back)
  -force-copy      With -migrate-state, replace a state of another lineage
  -backend-config=KEY=VALUE  Add a setting to the stack's backend (repeatable;
                   or =FILE of KEY = VALUE lines, or JSON), recorded for
                   later commands: how CI gives the bucket
  -reconfigure     Take the backend as it is now, moving no state and
                   dropping the settings an earlier -backend-config gave]],
  run = function(flags)
    core.mkdir_p(".luaform")
    local modsource = require("luaform.modsource")
    local installer = modsource.installer(flags.upgrade)
    local cfg
    if core.stat("main.lua") then
      cfg = dsl.evaluate({ lenient_vars = true, installer = installer, workspace = require("luaform.workspace").current(),
        reconfigure = flags.reconfigure or (flags.backend_config ~= nil and #flags.backend_config > 0) })
    end
    local keys = require("luaform.schema").sorted_keys(installer.seen)
    for _, k in ipairs(keys) do
      local e = installer.seen[k]
      print(string.format("- %s: %s (%s)", e.source, e.resolved, e.commit:sub(1, 12)))
    end
    if #keys > 0 or core.stat(modsource.LOCK_FILE) then installer.save() end

    backend_init.init(cfg and cfg.backend, flags, cfg and cfg.encryption)
    print("luaform has been successfully initialized!")
    return 0
  end,
}

C["force-unlock"] = {
  flags = {},
  max_args = 1,
  help = [[
Usage: luaform force-unlock LOCK_ID

  Removes a remote state lock left by a run that died (the ID is in the
  "state is locked" message). Only if no luaform run holds it any more.
  Local state locks need no unlocking: the system releases them when their
  holder exits.]],
  run = function(_, pos)
    local id = pos[1]
    if not id then errors.raise(nil, "force-unlock needs the lock ID") end
    local cfg = dsl.evaluate({ lenient_vars = true, workspace = require("luaform.workspace").current() })
    local b = cfg.backend
    backend_init.check(b)
    if not b or b.type == "local" then
      errors.raise(nil, "the local state's lock is released by the system when its holder exits; there is nothing to force")
    end
    local mod = require("luaform.backends." .. b.type)
    local conf = { workspace = require("luaform.workspace").current() }
    for k, v in pairs(b.config) do conf[k] = v end
    local ok, err = mod.force_unlock(mod.new(conf), id)
    if not ok then errors.raise(nil, "force-unlock: %s", err) end
    print("luaform state has been successfully unlocked!")
    return 0
  end,
}

C.graph = {
  flags = { var = "list", var_file = "list" },
  help = "Usage: luaform graph\n\n  Prints the resource graph in Graphviz DOT (edges point to dependencies).",
  max_args = 0,
  run = function(flags)
    local cfg = evaluate(flags)
    planner.order(cfg)
    local lines = { "digraph luaform {", '  rankdir = "RL";' }
    for _, addr in ipairs(cfg.order) do
      lines[#lines + 1] = string.format("  %s;", core.json_encode(addr))
    end
    for _, addr in ipairs(cfg.order) do
      local deps = {}
      for d in pairs(cfg.nodes[addr].deps) do deps[#deps + 1] = d end
      table.sort(deps)
      for _, d in ipairs(deps) do
        lines[#lines + 1] = string.format("  %s -> %s;", core.json_encode(addr), core.json_encode(d))
      end
    end
    lines[#lines + 1] = "}"
    print(table.concat(lines, "\n"))
    return 0
  end,
}

local function read_state(flags)
  local backend, encryption = backend_init.of_stack()
  local store = backend_init.open_state({ path = flags.state, backend = not flags.state and backend or nil, encryption = encryption })
  local st = store:load()
  return st, store
end

C.show = {
  flags = { json = "bool", markdown = "bool", no_color = "bool", state = "string" },
  help = "Usage: luaform show [-json] [PLANFILE]\n       luaform show -markdown PLANFILE\n\n"
    .. "  Shows the state, or a saved plan (-markdown: as a pull request comment).",
  max_args = 1,
  run = function(flags, pos)
    if pos[1] then
      local doc = planfile.load(pos[1], select(2, backend_init.of_stack()))
      if flags.json then print(core.json_encode(doc.json, { pretty = true })) return 0 end
      if flags.markdown then io.stdout:write(doc.markdown) return 0 end
      io.stdout:write(doc.rendered)
      return 0
    end
    if flags.markdown then errors.raise(nil, "show -markdown needs a saved plan: luaform show -markdown PLANFILE") end
    local st = read_state(flags)
    if flags.json then
      print(core.json_encode(require("luaform.tfjson").state(st), { pretty = true }))
      return 0
    end
    local out = ui.new(flags)
    local addrs = state.addresses(st)
    if #addrs == 0 then out:print("The state is empty.") return 0 end
    for _, a in ipairs(addrs) do render.resource(out, a, st.resources[a]); out:print("") end
    return 0
  end,
}

C.output = {
  flags = { json = "bool", raw = "bool", no_color = "bool", state = "string" },
  max_args = 1,
  help = "Usage: luaform output [-json] [-raw] [NAME]\n\n  Shows the stack's outputs from the state.",
  run = function(flags, pos)
    local st = read_state(flags)
    local name = pos[1]
    if name then
      local o = st.outputs[name]
      if not o then errors.raise(nil, 'output "%s" not found (run apply first?)', name) end
      if flags.json then print(core.json_encode(o.value))
      elseif flags.raw and type(o.value) ~= "table" then print(tostring(o.value))
      else print(render.value(o.value)) end
      return 0
    end
    if flags.json then
      local doc = {}
      for k, o in pairs(st.outputs) do doc[k] = { value = o.value, sensitive = o.sensitive or false } end
      print(core.json_encode(setmetatable(doc, core.json_object_mt), { pretty = true }))
      return 0
    end
    ui.new({ no_color = flags.no_color }):output_lines(st.outputs)
    return 0
  end,
}

C.state = {
  help = [[
Usage: luaform state <subcommand> [options]

Subcommands:
  list [ADDRESS...]        List resources in the state
  show ADDRESS             Show one resource's attributes
  mv SOURCE DESTINATION    Rename a resource or module in the state
  rm ADDRESS...            Forget resources (they stay in AWS)
  pull                     Print the state as JSON
  push FILE                Replace the state with FILE
  import-terraform FILE    Convert a Terraform state (v4) into this stack's]],
  subcommands = require("luaform.commands.state"),
}

-- taint/untaint: marks an object in the state so that the next plan
-- replaces it ("is tainted, so must be replaced"), or takes the mark off.
local function taint_command(name, tainted, done)
  return {
    flags = { state = "string", lock_timeout = "string", lock = "bool" },
    max_args = 1,
    help = string.format([[
Usage: luaform %s [options] ADDRESS

  %s

Options:
  -state=FILE        Work on this local state file instead of the stack's
  -lock=false        Do not take the state lock
  -lock-timeout=DUR  Wait this long for the state lock]], name, tainted
      and "Marks a resource instance so that the next plan replaces it."
      or "Takes the taint mark off a resource instance: it is kept again."),
    run = function(flags, pos)
      local addr = pos[1]
      if not addr then errors.raise(nil, "%s needs a resource instance address", name) end
      return require("luaform.commands.state_doc").change(flags, flags.lock ~= false and name or nil, function(_, st)
        local e = st.resources[addr]
        if not e or e.mode == "data" then errors.raise(nil, 'no resource instance "%s" in the state', addr) end
        if not tainted and not e.tainted then errors.raise(nil, 'resource instance %s is not tainted', addr) end
        e.tainted = tainted or nil
        print(string.format("Resource instance %s %s.", addr, done))
        return true
      end)
    end,
  }
end
C.taint = taint_command("taint", true, "has been marked as tainted")
C.untaint = taint_command("untaint", false, "has been successfully untainted")

C.import = {
  flags = { var = "list", var_file = "list", lock_timeout = "string", no_color = "bool", state = "string" },
  max_args = 2,
  help = [[
Usage: luaform import [options] ADDRESS ID

  Reads the existing object ID and records it in the state at ADDRESS,
  which the stack must declare. The next plan shows only the differences
  between the object and the stack.

Options:
  -var, -var-file, -lock-timeout, -state, -no-color: as for plan]],
  run = function(flags, pos)
    local addr, id = pos[1], pos[2]
    if not addr or not id then errors.raise(nil, "import needs ADDRESS and ID") end
    return with_run(flags, "import", function(run)
      local node = run.cfg.nodes[addr]
      if not node or node.mode == "data" then
        errors.raise(nil, 'import: the stack declares no resource "%s"; add it to the stack first', addr)
      end
      if run.state.resources[addr] then
        errors.raise(nil, 'import: %s is already managed (id %s); use "luaform state rm" first to re-import',
          addr, tostring(run.state.resources[addr].attributes and run.state.resources[addr].attributes.id))
      end
      run.out:print("%s: Importing from ID \"%s\"...", addr, id)
      run.state.resources[addr] = require("luaform.importer").entry(run, addr, id, node)
      run.store:save()
      run.out:print("%s: Import prepared!\n\nImport successful!\n\nThe resource is now managed by luaform.", addr)
      return 0
    end)
  end,
}

C.workspace = {
  help = [[
Usage: luaform workspace <subcommand>

  Several states for one stack (dev, prod). LUAFORM_WORKSPACE overrides
  the selected one.

Subcommands:
  list            List workspaces
  show            Print the current workspace
  new NAME        Create a workspace and select it
  select NAME     Select a workspace
  delete NAME     Delete an empty workspace (-force: even if not empty)]],
  subcommands = require("luaform.commands.workspace"),
}

-- Every type a reference command covers: the built-in ones and the
-- stack's own, with those of the modules its main.lua loads with use().
local function all_types()
  if core.stat("main.lua") then
    dsl.evaluate({ lenient_vars = true, workspace = require("luaform.workspace").current() })
  end
  return require("luaform.schema").type_names()
end

C.providers = {
  help = [[
Usage: luaform providers schema -json

  Prints the schema of every resource type and data source (the stack's
  own types included) in the format of terraform providers schema -json.]],
  subcommands = {
    schema = {
      flags = { json = "bool" },
      max_args = 0,
      help = "Usage: luaform providers schema -json\n\n  The schemas of every type, as Terraform's"
        .. " providers schema -json.",
      run = function(flags)
        if not flags.json then errors.raise(nil, "providers schema needs -json (the only format)") end
        print(core.json_encode(require("luaform.provider_schema").document(all_types()), { pretty = true }))
        return 0
      end,
    },
  },
}

C.docs = {
  flags = { markdown = "bool", out = "string" },
  max_args = 1,
  help = [[
Usage: luaform docs [TYPE | MODULE]
       luaform docs -markdown [-out=DIR]

  Without TYPE, lists every type. With TYPE, prints the argument and
  attribute reference of a resource type or data source: types, required
  or optional, defaults, what forces replacement, what the provider
  computes, what is sensitive. With MODULE (its require name, such as
  stdlib.vpc), prints a module's inputs and outputs. With -markdown, writes
  the reference of every type (the stack's own included) as one page per
  type plus README.md into DIR (default docs/reference).]],
  run = function(flags, pos)
    local docs = require("luaform.docs")
    local names = all_types()
    if flags.markdown then
      local dir = flags.out or docs.DIR
      docs.write_markdown(dir, names)
      print(string.format("Wrote the reference of %d types to %s.", #names, dir))
      return 0
    end
    local schema = require("luaform.schema")
    if not pos[1] then   -- the list of types
      for _, name in ipairs(names) do
        local mod = assert(schema.load(name))
        print(string.format("%-36s %s", name, mod.data_source and "data source" or "resource"))
      end
      return 0
    end
    local mod, err = schema.load(pos[1])
    if not mod and pos[1]:find(".", 1, true) then   -- a module, by its require name
      local ok, m = pcall(require, pos[1])
      if ok and require("luaform.interface").is(m) then
        io.write(docs.module_text(pos[1], m))
        return 0
      end
      errors.raise(nil, "%s is neither a type nor a module with an interface ({ inputs, outputs, body })", pos[1])
    end
    if not mod then errors.raise(nil, "%s", err) end
    io.write(docs.text(mod))
    return 0
  end,
}

C.types = {
  max_args = 1,
  help = [[
Usage: luaform types [DIR]

  Writes Lua language server annotations of the stack language and of
  every type (the stack's own included) to DIR/luaform.lua (default
  .luaform/types), and points .luarc.json in the stack directory at DIR,
  so an editor completes argument names and flags a misspelled one.]],
  run = function(_, pos)
    local dir = pos[1] or ".luaform/types"
    local names = all_types()
    require("luaform.annotations").write(dir, names)
    print(string.format("Wrote annotations of %d types to %s/luaform.lua and .luarc.json.", #names, dir))
    return 0
  end,
}

C.version = {
  flags = { json = "bool" },
  max_args = 0,
  help = "Usage: luaform version",
  run = function(flags)
    if flags.json then print(core.json_encode({ luaform_version = core.version }))
    else print("luaform v" .. core.version) end
    return 0
  end,
}

C.test = {
  flags = { filter = "string", verbose = "bool" },
  help = "Usage: luaform test [DIR|FILE...]\n\n  Runs *_test.lua files (default: tests/) and prints \"N passed, N failed\".",
  run = function(flags, pos)
    return require("luaform.testing").main(pos, flags)
  end,
}

C.run = {
  raw = true,
  help = [[
Usage: luaform run [options] SCRIPT.lua [ARGS...]

  Runs a migration script with the engine's APIs: state.list/show/mv/rm/
  import, aws.client, plan() and apply(). The state is locked for the whole
  run and saved once at the end, and not at all if the script fails.

Options (before the script):
  -dry-run           Print what would change; save nothing, send no AWS call that changes anything
  -var NAME=VALUE    Set a stack variable (repeatable); also -var-file=FILE
  -lock-timeout=DUR  Wait this long for the state lock
  -state=FILE        Use this local state file
  -no-color          No colors]],
  run = function(_, pos)
    local opts = { vars = {}, var_files = {}, args = {} }
    local i = 1
    while pos[i] and pos[i]:match("^%-") do
      local name, value = pos[i]:match("^%-%-?([%w%-]+)=?(.*)$")
      if name == "dry-run" then opts.dry_run = true
      elseif name == "no-color" then opts.no_color = true
      elseif name == "lock-timeout" then opts.lock_timeout = seconds(value)
      elseif name == "state" then opts.state = value
      elseif name == "var" or name == "var-file" then
        if value == "" then i = i + 1; value = pos[i] or "" end
        if name == "var-file" then opts.var_files[#opts.var_files + 1] = value
        else for k, v in pairs(parse_vars({ value })) do opts.vars[k] = v end end
      else errors.raise(nil, "unknown option %s for run\n\n%s", pos[i], C.run.help) end
      i = i + 1
    end
    opts.script = pos[i]
    if not opts.script then errors.raise(nil, "run needs a script\n\n%s", C.run.help) end
    table.move(pos, i + 1, #pos, 1, opts.args)
    return require("luaform.script").run(opts)
  end,
}

C.aws = {
  raw = true,
  help = "Usage: luaform aws SERVICE OPERATION ['{json params}']\n\n  Calls any operation of an AWS service model and prints the result as JSON.",
  run = function(_, pos)
    return require("luaform.aws").cli(pos)
  end,
}

return C
