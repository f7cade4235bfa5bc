-- Output changes in the plan, end to end (no AWS: random_id): adding,
-- changing and removing an output is shown in Terraform's "Changes to
-- Outputs:" block, counts as a change for -detailed-exitcode, and applying
-- such a plan saves the outputs to the state; an output of a value known
-- only after apply, and a sensitive one, are shown as such; show -json and
-- saved plans carry the same.
local function stack(outputs)
  return 'local r = resource("random_id", "r", { byte_length = 4 })\n' .. outputs
end

local function set_main(dir, text) write(dir .. "/main.lua", text) end

local function apply(dir, ...)
  local out, code = luaform(dir, "apply", "-auto-approve", ...)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  return out
end

local ONLY_OUTPUTS = "You can apply this plan to save these new output values to the luaform state, "
  .. "without changing any real infrastructure."

test("a plan that only adds, changes or removes outputs shows them, exits 2, and apply saves them", function()
  local dir = new_stack(stack('output("a", "one")\n'))
  apply(dir)
  local out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")

  set_main(dir, stack('output("a", "two")\noutput("b", { x = 1, hex = r.hex })\n'))
  local hex = state_of(dir).resources["random_id.r"].attributes.hex
  out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).not_to_contain("No changes.")
  expect(out).to_contain('Changes to Outputs:\n  ~ a = "one" -> "two"\n  + b = { hex = "' .. hex .. '", x = 1 }\n')
  expect(out).to_contain(ONLY_OUTPUTS)
  expect(out).not_to_contain("Plan:")

  out = apply(dir)
  expect(out).to_contain("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.")
  local st = state_of(dir)
  expect(st.outputs.a.value).to_be("two")
  expect(st.outputs.b.value).to_equal({ x = 1, hex = hex })
  out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(0)
  expect(out).to_contain("No changes.")

  set_main(dir, stack('output("b", { x = 1, hex = r.hex })\n'))
  out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain('Changes to Outputs:\n  - a = "two" -> null\n')
  expect(out).not_to_contain("+ b")
  apply(dir)
  expect(state_of(dir).outputs.a).to_be_nil()
  expect(state_of(dir).outputs.b.value.hex).to_be(hex)
end)

test("an output of a new resource is (known after apply), after the Plan: line", function()
  local dir = new_stack(stack('output("a", "one")\n'))
  apply(dir)
  set_main(dir, stack('output("a", "one")\nlocal s = resource("random_id", "s", { byte_length = 2 })\n'
    .. 'output("s_hex", s.hex)\n'))
  local out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain("Plan: 1 to add, 0 to change, 0 to destroy.\n\nChanges to Outputs:\n"
    .. "  + s_hex = (known after apply)\n")
  expect(out).not_to_contain(ONLY_OUTPUTS)
  expect(out).not_to_contain("  ~ a")
  apply(dir)
  expect(state_of(dir).outputs.s_hex.value).to_be(state_of(dir).resources["random_id.s"].attributes.hex)
end)

test("a sensitive output's change shows (sensitive value), never the value", function()
  local dir = new_stack(stack('output("a", "one")\n'))
  apply(dir)
  set_main(dir, stack('output("a", "one")\noutput("token", "hunter2-secret", { sensitive = true })\n'))
  local out, code = luaform(dir, "plan", "-detailed-exitcode")
  expect(code).to_be(2)
  expect(out).to_contain("  + token = (sensitive value)")
  expect(out).not_to_contain("hunter2")
  local json = luaform(dir, "plan", "-json")
  expect(json).not_to_contain("hunter2")
  apply(dir)
  set_main(dir, stack('output("a", "one")\noutput("token", "hunter3-secret", { sensitive = true })\n'))
  out = luaform(dir, "plan")
  expect(out).to_contain("  ~ token = (sensitive value)")
  expect(out).not_to_contain("hunter")
end)

test("show -json of a saved plan and the plan carry the output changes", function()
  local dir = new_stack(stack('output("a", "one")\noutput("gone", "bye")\n'))
  apply(dir)
  set_main(dir, stack('output("a", "two")\noutput("hex", r.hex)\n'))
  local hex = state_of(dir).resources["random_id.r"].attributes.hex
  local out
  local code = select(2, luaform(dir, "plan", "-out", "p.plan"))
  expect(code).to_be(0)
  local doc = core.json_decode((luaform(dir, "show", "-json", "p.plan")))
  expect(doc.output_changes.a.actions).to_equal({ "update" })
  expect(doc.output_changes.a.before).to_be("one")
  expect(doc.output_changes.a.after).to_be("two")
  expect(doc.output_changes.hex.actions).to_equal({ "create" })
  expect(doc.output_changes.hex.after).to_be(hex)
  expect(doc.output_changes.gone.actions).to_equal({ "delete" })
  expect(doc.output_changes.gone.after).to_be(core.null)

  code = select(2, luaform(dir, "plan", "-out", "p.plan"))
  expect(code).to_be(0)
  out = luaform(dir, "show", "p.plan")
  expect(out).to_contain('Changes to Outputs:\n  ~ a    = "one" -> "two"\n  - gone = "bye" -> null\n  + hex  = "' .. hex .. '"\n')
  apply(dir, "p.plan")
  local st = state_of(dir)
  expect(st.outputs.a.value).to_be("two")
  expect(st.outputs.hex.value).to_be(hex)
  expect(st.outputs.gone).to_be_nil()
end)
