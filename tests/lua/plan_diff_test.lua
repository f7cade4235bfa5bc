-- The human plan as a reviewer reads it (issue 16), against the emulator:
-- for each kind of change, the whole plan text compared with a golden
-- file in tests/lua/fixtures/plans/ (ids and the emulator's port made
-- generic first). LUAFORM_UPDATE_GOLDEN=1 rewrites the files; review
-- their diff before committing.
local REFERENCE = core.exe_dir .. "/examples/ecs-fargate/main.lua"
local GOLDEN = core.exe_dir .. "/tests/lua/fixtures/plans/"

local STACK = [[
provider("aws", { region = "us-east-1" })
local vpc = resource("aws_vpc", "main", { cidr_block = "10.0.0.0/16", tags = { Name = "main", Team = "web" } })
resource("aws_security_group", "web", {
  name = "web", description = "web", vpc_id = vpc.id,
  ingress = {
    { from_port = 80, to_port = 80, protocol = "tcp", cidr_blocks = { "10.0.0.0/8" } },
    { from_port = 443, to_port = 443, protocol = "tcp", cidr_blocks = { "0.0.0.0/0" } },
  },
})
local q = resource("aws_sqs_queue", "jobs", { name = "jobs", tags = { Team = "web" } }, { create_before_destroy = true })
resource("aws_sqs_queue_policy", "jobs", { queue_url = q.url, policy = json{
  Version = "2012-10-17",
  Statement = {
    { Sid = "FromTopic", Effect = "Allow", Principal = { Service = "sns.amazonaws.com" },
      Action = "sqs:SendMessage", Resource = q.arn },
  },
} })
]]

-- ids, account-independent ARNs' suffixes and the emulator's address
-- differ between runs; the rest of the text must not.
local function generic(text)
  text = text:gsub("(%l+)%-(%x%x%x%x%x%x%x%x+)", "%1-ID")
  text = text:gsub("https?://[%w%.%-]+:%d+", "http://EMULATOR")
  return text
end

local function golden(name, text)
  local path = GOLDEN .. name .. ".txt"
  text = generic(text)
  if os.getenv("LUAFORM_UPDATE_GOLDEN") == "1" then write(path, text) return end
  expect(text).to_be(read(path))
end

local function plan(e, dir, ...)
  local out, code = e:luaform(dir, "plan", "-no-color", ...)
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  return out
end

local function edited(dir, from, to)
  local src = read(dir .. "/main.lua")
  local new = src:gsub(from, to)
  expect(new ~= src).to_be(true)
  write(dir .. "/main.lua", new)
end

test("an image bump on the reference stack is one line under its container", function()
  local e = emulator({ ["nat-delay-ms"] = 10, ["lb-delay-ms"] = 10 })
  local dir = tmpdir()
  write(dir .. "/main.lua", read(REFERENCE))
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local out = plan(e, dir, "-var", "image_tag=0.0.2")
  expect(out).to_contain('~ image = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/base:0.0.1" -> '
    .. '"123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/base:0.0.2"')
  golden("image_bump", out)
  -- a saved plan shows the same
  expect(select(2, e:luaform(dir, "plan", "-out=bump.plan", "-var", "image_tag=0.0.2"))).to_be(0)
  local shown, code = e:luaform(dir, "show", "bump.plan")
  expect(code).to_be(0)
  golden("image_bump", shown)
end)

test("policies, rules, tags, replacements, imports and drift show only what changed", function()
  local e = emulator()
  local dir = tmpdir()
  write(dir .. "/main.lua", STACK)
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local clean = STACK

  edited(dir, '      Action = "sqs:SendMessage", Resource = q.arn },\n', '      Action = "sqs:SendMessage", Resource = q.arn },\n'
    .. '    { Sid = "Audit", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" },\n'
    .. '      Action = { "sqs:GetQueueAttributes" }, Resource = q.arn },\n')
  golden("policy_statement_added", plan(e, dir))

  write(dir .. "/main.lua", clean)
  edited(dir, '"10%.0%.0%.0/8"', '"10.0.0.0/8", "192.168.0.0/16"')
  golden("security_group_rule_changed", plan(e, dir))

  write(dir .. "/main.lua", clean)
  edited(dir, 'Name = "main", Team = "web"', 'Name = "main", Team = "platform"')
  local out = plan(e, dir)
  expect(out).to_contain('~ "Team" = "web" -> "platform"')
  expect(out).not_to_contain('"Name"')
  golden("tag_changed", out)

  write(dir .. "/main.lua", clean)
  edited(dir, '"10%.0%.0%.0/16"', '"10.1.0.0/16"')
  out = plan(e, dir)
  expect(out).to_match('~ cidr_block +%= "10%.0%.0%.0/16" %-> "10%.1%.0%.0/16" # forces replacement')
  golden("replacement", out)

  write(dir .. "/main.lua", clean)
  edited(dir, 'name = "jobs"', 'name = "jobs-v2"')
  out = plan(e, dir)
  expect(out).to_contain('+/- resource "aws_sqs_queue" "jobs" {')
  golden("create_before_destroy", out)

  write(dir .. "/main.lua", clean)
  expect(select(2, e:luaform(dir, "state", "rm", "aws_sqs_queue_policy.jobs"))).to_be(0)
  local url = core.json_decode(read(dir .. "/luaform.state.json")).resources["aws_sqs_queue.jobs"].attributes.url
  write(dir .. "/main.lua", clean .. string.format('import{ to = "aws_sqs_queue_policy.jobs", id = %q }\n', url))
  golden("import", plan(e, dir))
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)

  write(dir .. "/main.lua", clean)
  e:use()
  local ec2 = require("luaform.aws").client("ec2", { region = "us-east-1" })
  local vpc_id = e:inventory().ec2.vpc[1].id
  ec2:CreateTags{ Resources = { vpc_id }, Tags = { { Key = "Team", Value = "changed-by-hand" } } }
  out = plan(e, dir)
  expect(out).to_contain("# aws_vpc.main has changed")
  golden("drift", out)
end)

test("a multi-line string shows the lines that changed", function()
  local dir = new_stack('resource("local_file", "conf", { filename = "app.conf", content = var("c", { default = '
    .. '"[server]\\nport = 80\\nworkers = 2\\nlog = info\\n" }) })\n')
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local out, code = luaform(dir, "plan", "-no-color", "-var", "c=[server]\nport = 8080\nworkers = 2\nlog = info\n")
  expect(code).to_be(0)
  expect(out).to_contain('      ~ content        = <<-EOT\n'
    .. '            # (1 unchanged line hidden)\n'
    .. '          - port = 80\n'
    .. '          + port = 8080\n'
    .. '            # (3 unchanged lines hidden)\n'
    .. '        EOT\n')
end)

test("list elements match by identity whatever their order", function()
  local diffview = require("luaform.diffview")
  local render = require("luaform.render")
  local spec = require("luaform.schema").load("aws_security_group").schema.ingress
  local before = {
    { from_port = 80, to_port = 80, protocol = "tcp", cidr_blocks = { "10.0.0.0/8" }, description = "web" },
    { from_port = 443, to_port = 443, protocol = "tcp", cidr_blocks = { "0.0.0.0/0" }, description = "tls" },
  }
  local after = {
    { from_port = 443, to_port = 443, protocol = "tcp", cidr_blocks = { "0.0.0.0/0" }, description = "https" },
    { from_port = 80, to_port = 80, protocol = "tcp", cidr_blocks = { "10.0.0.0/8" }, description = "web" },
  }
  local text = {}
  for _, l in ipairs(diffview.attribute(6, "ingress", 7, spec, before, after, render.value)) do
    text[#text + 1] = string.rep(" ", l[1]) .. l[2] .. " " .. l[3]
  end
  expect(table.concat(text, "\n")).to_be(table.concat({
    "      ~ ingress = [",
    "          ~ {",
    '              ~ description = "tls" -> "https"',
    "                from_port   = 443",
    '                protocol    = "tcp"',
    "                to_port     = 443",
    "                # (1 unchanged attribute hidden)",
    "            },",
    "            # (1 unchanged element hidden)",
    "        ]",
  }, "\n"))
end)
