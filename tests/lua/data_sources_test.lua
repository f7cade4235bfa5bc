-- Data sources named like resource types (issue 13): data
-- aws_ssm_parameter, aws_secretsmanager_secret_version, aws_kms_alias,
-- aws_iam_policy, aws_route53_zone and aws_acm_certificate read what a
-- first stack made; sensitive values stay hidden; an unknown name is an
-- error naming the data source.
local SECRET = "s3cret-from-data"

local FIRST = [[
local key = resource("aws_kms_key", "k", { deletion_window_in_days = 7 })
resource("aws_kms_alias", "k", { name = "alias/app", target_key_id = key.key_id })
resource("aws_ssm_parameter", "p", { name = "/app/token", type = "SecureString", value = "s3cret-from-data" })
local s = resource("aws_secretsmanager_secret", "s", { name = "app/db", recovery_window_in_days = 0 })
resource("aws_secretsmanager_secret_version", "s", { secret_id = s.id, secret_string = "s3cret-from-data" })
resource("aws_iam_policy", "p", { name = "read", policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}' })
resource("aws_route53_zone", "z", { name = "example.com" })
]]

local SECOND = [[
local p = data("aws_ssm_parameter", "p", { name = "/app/token" })
local s = data("aws_secretsmanager_secret_version", "s", { secret_id = "app/db" })
local a = data("aws_kms_alias", "k", { name = "alias/app" })
local pol = data("aws_iam_policy", "p", { name = "read" })
local z = data("aws_route53_zone", "z", { name = "example.com" })
resource("local_file", "out", { filename = "out.txt", sensitive_content = p.value .. "|" .. s.secret_string })
output("key", a.target_key_id)
output("policy", pol.policy)
output("zone", z.zone_id)
]]

test("data sources read what another stack made; sensitive values stay hidden", function()
  local e = emulator()
  local first = new_stack(FIRST)
  local out, code = e:luaform(first, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local st = state_of(first)
  local dir = new_stack(SECOND)
  out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  expect(out).not_to_contain(SECRET)
  expect(read(dir .. "/out.txt")).to_be(SECRET .. "|" .. SECRET)
  expect(out).to_contain('key = "' .. st.resources["aws_kms_key.k"].attributes.key_id .. '"')
  expect(out).to_contain("s3:GetObject")
  expect(out).to_contain('zone = "' .. st.resources["aws_route53_zone.z"].attributes.zone_id .. '"')
  for _, addr in ipairs({ "data.aws_ssm_parameter.p", "data.aws_secretsmanager_secret_version.s" }) do
    out = e:luaform(dir, "state", "show", addr)
    expect(out).to_contain("(sensitive value)")
    expect(out).not_to_contain(SECRET)
  end
  expect(select(2, e:luaform(dir, "plan", "-detailed-exitcode"))).to_be(0)
  -- a resource of the same name is still the resource
  local bad = new_stack([[data("aws_route53_zone", "z", { name = "missing.org" })]])
  out, code = e:luaform(bad, "plan")
  expect(code).to_be(1)
  expect(out).to_contain('no hosted zone named "missing.org"')
end)

test("data aws_acm_certificate finds the issued certificate of a domain", function()
  local e = emulator()
  local dir = new_stack([[
local zone = resource("aws_route53_zone", "z", { name = "example.com" })
local cert = resource("aws_acm_certificate", "c", { domain_name = "example.com" })
local dvo = cert.domain_validation_options
local rec = resource("aws_route53_record", "v", { zone_id = zone.zone_id, type = "CNAME", ttl = 60,
  name = dvo:map(function(o) return o[1].resource_record_name end),
  records = { dvo:map(function(o) return o[1].resource_record_value end) } })
resource("aws_acm_certificate_validation", "c", { certificate_arn = cert.arn, validation_record_fqdns = { rec.fqdn } })
]])
  local out, code = e:luaform(dir, "apply", "-auto-approve")
  if code ~= 0 then print(out) end
  expect(code).to_be(0)
  local arn = state_of(dir).resources["aws_acm_certificate.c"].attributes.arn
  local reader = new_stack([[output("arn", data("aws_acm_certificate", "c", { domain = "example.com" }).arn)]])
  out, code = e:luaform(reader, "apply", "-auto-approve")
  expect(code).to_be(0)
  expect(out).to_contain('arn = "' .. arn .. '"')
end)
