-- luaform's JSON read as tools written for Terraform read it (issue 16):
-- show -json PLANFILE, show -json, plan -json and validate -json, each
-- document validated against a JSON Schema of Terraform's format written
-- from its documentation (tests/lua/fixtures/terraform-json/), and the
-- fields such tools use asserted as that documentation describes them:
-- policy checks (conftest/OPA: resource_changes[_].change.actions,
-- .after, .type, .address), cost estimators (planned_values,
-- prior_state, configuration), PR bots (the UI stream's planned_change
-- and change_summary).
local SCHEMAS = core.exe_dir .. "/tests/lua/fixtures/terraform-json/"

local STACK = [[
provider("aws", { region = "us-east-1" })
local pw = var("db_password", { sensitive = true, default = "hunter2-secret" })
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16", tags = { Name = "main", Team = "web" } })
resource("aws_security_group", "web", {
  name = "web", description = "web", vpc_id = vpc.id,
  ingress = { { from_port = 443, to_port = 443, protocol = "tcp", cidr_blocks = { "0.0.0.0/0" } } },
})
module("net", function(a)
  resource("aws_subnet", "a", { vpc_id = a.vpc_id, cidr_block = "10.0.1.0/24" })
  return {}
end, { vpc_id = vpc.id })
resource("aws_sqs_queue", "jobs", { name = "jobs" }, { create_before_destroy = true })
resource("local_file", "settings", { filename = "settings.txt", content = "password=" .. pw })
output("vpc_id", vpc.id)
]]

-- Validates text (a document, or JSON lines) against a schema; returns
-- the checker's answer ("ok\n" when valid).
local function check(schema, text, lines)
  local path = tmpdir() .. "/doc.json"
  write(path, text)
  return (sh("/usr/bin/python3 " .. quote(SCHEMAS .. "check.py") .. " " .. quote(SCHEMAS .. schema) .. " "
    .. quote(path) .. (lines and " --lines" or "")))
end

-- show -json of a plan saved with args, schema-checked.
local function plan_doc(e, dir, ...)
  local out, code = e:luaform(dir, "plan", "-out=t.plan", ...)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local text = e:luaform(dir, "show", "-json", "t.plan")
  expect(text).not_to_contain("hunter2")
  expect(check("plan.schema.json", text)).to_be("ok\n")
  return core.json_decode(text)
end

local function change_of(doc, addr, list)
  for _, rc in ipairs(doc[list or "resource_changes"]) do
    if rc.address == addr then return rc end
  end
end

-- A module's resources in a values representation, by address.
local function resources_in(module, out)
  out = out or {}
  for _, r in ipairs(module.resources or {}) do out[r.address] = r end
  for _, m in ipairs(module.child_modules or {}) do resources_in(m, out) end
  return out
end

test("show -json PLANFILE: a create plan as policy checks and cost estimators read it", function()
  local e = emulator()
  local dir = new_stack(STACK)
  local doc = plan_doc(e, dir)
  expect(doc.format_version).to_be("1.2")
  expect(doc.applyable).to_be(true)
  expect(doc.complete).to_be(true)
  expect(doc.errored).to_be(false)

  -- conftest/OPA: deny security groups open to the world on a port other than 443
  local open = {}
  for _, rc in ipairs(doc.resource_changes) do
    local creates = false
    for _, a in ipairs(rc.change.actions) do if a == "create" or a == "update" then creates = true end end
    if creates and rc.type == "aws_security_group" then
      for _, rule in ipairs(rc.change.after.ingress) do
        for _, cidr in ipairs(rule.cidr_blocks) do
          if cidr == "0.0.0.0/0" then open[#open + 1] = rc.address .. ":" .. rule.from_port end
        end
      end
    end
  end
  expect(open).to_equal({ "aws_security_group.web:443" })

  local vpc = change_of(doc, "aws_vpc.main")
  expect(vpc.mode).to_be("managed")
  expect(vpc.type).to_be("aws_vpc")
  expect(vpc.name).to_be("main")
  expect(vpc.change.actions).to_equal({ "create" })
  expect(vpc.change.before).to_be(core.null)
  expect(vpc.change.after.cidr_block).to_be("10.0.0.0/16")
  expect(vpc.change.after.id).to_be(core.null)
  expect(vpc.change.after_unknown.id).to_be(true)
  local subnet = change_of(doc, "module.net.aws_subnet.a")
  expect(subnet.module_address).to_be("module.net")
  expect(subnet.change.after_unknown.vpc_id).to_be(true)
  -- a sensitive value is marked, never shown
  local settings = change_of(doc, "local_file.settings")
  expect(settings.change.after_sensitive.content).to_be(true)

  -- cost estimators: planned_values, prior_state, configuration
  local planned = resources_in(doc.planned_values.root_module)
  expect(planned["aws_vpc.main"].values.cidr_block).to_be("10.0.0.0/16")
  expect(planned["aws_vpc.main"].provider_name).to_be("registry.terraform.io/hashicorp/aws")
  expect(planned["module.net.aws_subnet.a"].values.cidr_block).to_be("10.0.1.0/24")
  expect(doc.planned_values.root_module.child_modules[1].address).to_be("module.net")
  expect(#doc.prior_state.values.root_module.resources).to_be(0)
  local config = {}
  for _, r in ipairs(doc.configuration.root_module.resources) do config[r.address] = r end
  expect(config["aws_security_group.web"].expressions.vpc_id.references).to_equal({ "aws_vpc.main", "aws_vpc.main.id" })
  expect(config["aws_vpc.main"].expressions.cidr_block.constant_value).to_be("10.0.0.0/16")
  expect(config["aws_vpc.main"].provider_config_key).to_be("aws")
  local net = doc.configuration.root_module.module_calls.net.module
  expect(net.resources[1].address).to_be("aws_subnet.a")
  expect(doc.configuration.provider_config.aws.name).to_be("aws")
  expect(doc.configuration.root_module.outputs.vpc_id.expression.references).to_equal({ "aws_vpc.main", "aws_vpc.main.id" })
  expect(doc.variables.db_password.value).to_be("(sensitive value)")
  expect(doc.output_changes.vpc_id.actions).to_equal({ "create" })
  expect(doc.output_changes.vpc_id.after_unknown).to_be(true)
end)

test("show -json PLANFILE: updates, replacements, drift, imports and deletions as documented", function()
  local e = emulator()
  local dir = new_stack(STACK)
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)

  -- state: values.root_module with resources and child_modules, outputs
  local text = e:luaform(dir, "show", "-json")
  expect(check("state.schema.json", text)).to_be("ok\n")
  expect(text).not_to_contain("hunter2")
  local st = core.json_decode(text)
  local vpc_id = state_of(dir).resources["aws_vpc.main"].attributes.id
  local res = resources_in(st.values.root_module)
  expect(res["aws_vpc.main"].values.id).to_be(vpc_id)
  expect(res["aws_vpc.main"].mode).to_be("managed")
  expect(st.values.root_module.child_modules[1].address).to_be("module.net")
  expect(st.values.root_module.child_modules[1].resources[1].address).to_be("module.net.aws_subnet.a")
  expect(st.values.outputs.vpc_id).to_equal({ sensitive = false, value = vpc_id })

  -- an update in place: before and after
  write(dir .. "/main.lua", (STACK:gsub('Team = "web"', 'Team = "platform"')))
  local doc = plan_doc(e, dir)
  local vpc = change_of(doc, "aws_vpc.main")
  expect(vpc.change.actions).to_equal({ "update" })
  expect(vpc.change.before.tags.Team).to_be("web")
  expect(vpc.change.after.tags.Team).to_be("platform")
  expect(vpc.change.after.id).to_be(vpc_id)
  expect(resources_in(doc.prior_state.values.root_module)["aws_vpc.main"].values.tags.Team).to_be("web")

  -- a replacement: delete then create, the path that forces it
  write(dir .. "/main.lua", (STACK:gsub('"10%.0%.0%.0/16"', '"10.1.0.0/16"')))
  doc = plan_doc(e, dir)
  vpc = change_of(doc, "aws_vpc.main")
  expect(vpc.change.actions).to_equal({ "delete", "create" })
  expect(vpc.change.replace_paths).to_equal({ { "cidr_block" } })
  expect(vpc.action_reason).to_be("replace_because_cannot_update")
  -- create_before_destroy: create then delete
  write(dir .. "/main.lua", (STACK:gsub('name = "jobs"', 'name = "jobs-v2"')))
  doc = plan_doc(e, dir)
  expect(change_of(doc, "aws_sqs_queue.jobs").change.actions).to_equal({ "create", "delete" })
  -- a deletion: after is null
  write(dir .. "/main.lua", (STACK:gsub('module%("net".-{ vpc_id = vpc.id }%)\n', "")))
  doc = plan_doc(e, dir)
  local gone = change_of(doc, "module.net.aws_subnet.a")
  expect(gone.change.actions).to_equal({ "delete" })
  expect(gone.change.after).to_be(core.null)
  expect(gone.change.before.cidr_block).to_be("10.0.1.0/24")

  -- an import: change.importing.id
  write(dir .. "/main.lua", STACK)
  expect(select(2, e:luaform(dir, "state", "rm", "aws_security_group.web"))).to_be(0)
  local sg_id = e:inventory().ec2.security_group[1].id
  write(dir .. "/main.lua", STACK .. string.format('import{ to = "aws_security_group.web", id = %q }\n', sg_id))
  doc = plan_doc(e, dir)
  expect(change_of(doc, "aws_security_group.web").change.importing).to_equal({ id = sg_id })
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)

  -- drift: resource_drift and relevant_attributes
  write(dir .. "/main.lua", STACK)
  e:use()
  require("luaform.aws").client("ec2", { region = "us-east-1" }):CreateTags{
    Resources = { vpc_id }, Tags = { { Key = "Team", Value = "by-hand" } } }
  doc = plan_doc(e, dir)
  local drift = change_of(doc, "aws_vpc.main", "resource_drift")
  expect(drift.change.actions).to_equal({ "update" })
  expect(drift.change.before.tags.Team).to_be("web")
  expect(drift.change.after.tags.Team).to_be("by-hand")
  local relevant = {}
  for _, ra in ipairs(doc.relevant_attributes) do relevant[ra.resource .. "." .. ra.attribute[1]] = true end
  expect(relevant["aws_vpc.main.tags"]).to_be(true)

  -- plan -json: the machine-readable UI stream
  local out, code = e:luaform(dir, "plan", "-json")
  expect(code).to_be(0)
  expect(check("ui.schema.json", out, true)).to_be("ok\n")
  local msgs = {}
  for line in out:gmatch("[^\n]+") do msgs[#msgs + 1] = core.json_decode(line) end
  expect(msgs[1].type).to_be("version")
  expect(msgs[1].ui).to_be("1.0")
  local by_type = {}
  for _, m in ipairs(msgs) do by_type[m.type] = by_type[m.type] or {}; table.insert(by_type[m.type], m) end
  expect(by_type.resource_drift[1].change.resource.addr).to_be("aws_vpc.main")
  expect(by_type.resource_drift[1].change.action).to_be("update")
  expect(by_type.planned_change[1].change.resource.addr).to_be("aws_vpc.main")
  expect(by_type.planned_change[1].change.action).to_be("update")
  expect(by_type.change_summary[1].changes).to_equal({ add = 0, change = 1, remove = 0, import = 0, operation = "plan" })
end)

test("validate -json: Terraform's validate format, the error at its file and line", function()
  local dir = new_stack(STACK)
  local out, code = luaform(dir, "validate", "-json")
  expect(code).to_be(0)
  expect(check("validate.schema.json", out)).to_be("ok\n")
  expect(core.json_decode(out)).to_equal({ format_version = "1.0", valid = true, error_count = 0,
    warning_count = 0, diagnostics = {} })
  write(dir .. "/main.lua", STACK .. 'resource("aws_vpc", "bad", { cidr_blok = "10.0.0.0/16" })\n')
  out, code = luaform(dir, "validate", "-json")
  expect(code).to_be(1)
  expect(check("validate.schema.json", out)).to_be("ok\n")
  local doc = core.json_decode(out)
  expect(doc.valid).to_be(false)
  expect(doc.error_count).to_be(1)
  expect(doc.diagnostics[1].severity).to_be("error")
  expect(doc.diagnostics[1].summary).to_contain("cidr_blok")
  expect(doc.diagnostics[1].range.filename).to_be("main.lua")
  local _, lines = STACK:gsub("\n", "")
  expect(doc.diagnostics[1].range.start.line).to_be(lines + 1)
end)

test("the schemas can fail: a document without resource_changes is refused", function()
  expect(check("plan.schema.json", '{"format_version":"1.2"}')).to_contain("required")
  expect(check("validate.schema.json", '{"format_version":"1.0","valid":"yes","error_count":0,'
    .. '"warning_count":0,"diagnostics":[]}')).to_contain("valid")
end)
