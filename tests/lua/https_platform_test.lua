-- Issue 13 end to end: the reference platform (vpc, lb, service) with
-- domain_name, zone_id and two secrets applies to the emulator; the
-- certificate is issued (the emulator answers DNS validation once the
-- validation record is in its Route 53), the listener on 443 serves it,
-- port 80 redirects, the task definition carries the secrets, the
-- execution role's policy names exactly those ARNs; a second plan has no
-- changes (its API calls counted and printed); destroy empties the
-- inventory (KMS keys only pending deletion, as AWS keeps them).
local aws = require("luaform.aws")

local STACK = [[
provider("aws", { default_tags = { tags = { Project = "base" } } })
local zone = resource("aws_route53_zone", "main", { name = "example.com", force_destroy = true })
local key = resource("aws_kms_key", "secrets", { description = "service secrets", deletion_window_in_days = 7 })
local db = resource("aws_secretsmanager_secret", "db", { name = "base/db", kms_key_id = key.arn, recovery_window_in_days = 0 })
resource("aws_secretsmanager_secret_version", "db", { secret_id = db.id, secret_string = "s3cret-db-pw" })
local token = resource("aws_ssm_parameter", "token", { name = "/base/token", type = "SecureString",
  value = "s3cret-token", key_id = key.arn })
local net = module("vpc", require("stdlib.vpc"), {
  name = "base", vpc_cidr_block = "10.0.0.0/16", azs = { "us-east-1a", "us-east-1c" },
  public_subnet_cidrs = { "10.0.2.0/24", "10.0.4.0/24" }, private_subnet_cidrs = { "10.0.1.0/24", "10.0.3.0/24" },
})
local lb = module("lb", require("stdlib.lb"), { name = "alb-base", vpc_id = net.vpc_id,
  public_subnet_ids = net.public_subnet_ids, listener_port = 8080, https = true })
module("service", require("stdlib.service"), {
  name = "base", vpc_id = net.vpc_id, private_subnet_ids = net.private_subnet_ids,
  alb_arn = lb.alb_arn, alb_sg_id = lb.alb_sg_id,
  domain_name = "app.example.com", zone_id = zone.zone_id, alb_dns_name = lb.alb_dns_name, alb_zone_id = lb.alb_zone_id,
  secrets = { DB_PASSWORD = db.arn, API_TOKEN = token.arn }, secrets_kms_key_arns = { key.arn },
})
]]

local function total(counts)
  local n = 0
  for _, v in pairs(counts) do n = n + v end
  return n
end

test("the reference platform under its own domain with two secrets: HTTPS, redirect, secrets, no-change plan, destroy", function()
  local e = emulator({ ["nat-delay-ms"] = 200, ["lb-delay-ms"] = 200 })
  local dir = new_stack(STACK)
  local out = e:apply(dir)
  expect(out).not_to_contain("s3cret")
  e:use()
  local st = state_of(dir)
  local function a(addr) return st.resources[addr].attributes end
  local cert_arn = a("module.service.aws_acm_certificate.this").arn
  local acm, elb = aws.client("acm"), aws.client("elbv2")
  expect(acm:DescribeCertificate{ CertificateArn = cert_arn }.Certificate.Status).to_be("ISSUED")
  local listeners = {}
  for _, ls in ipairs(elb:DescribeListeners{ LoadBalancerArn = a("module.lb.aws_lb.this").arn }.Listeners) do
    listeners[ls.Port] = ls
  end
  expect(listeners[443].Protocol).to_be("HTTPS")
  expect(listeners[443].Certificates[1].CertificateArn).to_be(cert_arn)
  expect(listeners[80].DefaultActions[1].Type).to_be("redirect")
  expect(listeners[80].DefaultActions[1].RedirectConfig.Protocol).to_be("HTTPS")
  expect(listeners[80].DefaultActions[1].RedirectConfig.Port).to_be("443")
  -- the alias record names the load balancer
  local alias
  for _, rr in ipairs(aws.client("route53"):collect("ListResourceRecordSets", { HostedZoneId = a("aws_route53_zone.main").zone_id })) do
    if rr.Name == "app.example.com." and rr.Type == "A" then alias = rr end
  end
  expect(alias.AliasTarget.DNSName).to_be(a("module.lb.aws_lb.this").dns_name:lower() .. ".")
  -- the task definition carries the secrets; the execution role may read exactly them
  local td = aws.client("ecs"):DescribeTaskDefinition{ taskDefinition = a("module.service.aws_ecs_task_definition.this").arn }.taskDefinition
  local secrets = {}
  for _, s in ipairs(td.containerDefinitions[1].secrets) do secrets[s.name] = s.valueFrom end
  expect(secrets).to_equal({ DB_PASSWORD = a("aws_secretsmanager_secret.db").arn, API_TOKEN = a("aws_ssm_parameter.token").arn })
  local iam = aws.client("iam", { region = "us-east-1" })
  local doc = core.json_decode(require("luaform.providers.aws._json").url_decode(
    iam:GetRolePolicy{ RoleName = "base-ecs-task-execution", PolicyName = "base-secrets" }.PolicyDocument))
  local named = {}
  for _, s in ipairs(doc.Statement) do
    for _, r in ipairs(type(s.Resource) == "table" and s.Resource or { s.Resource }) do named[#named + 1] = r end
  end
  table.sort(named)
  local want = { a("aws_secretsmanager_secret.db").arn, a("aws_ssm_parameter.token").arn, a("aws_kms_key.secrets").arn }
  table.sort(want)
  expect(named).to_equal(want)

  -- a second plan: no changes; its API calls counted and printed
  sh(string.format("curl -sS -X POST %s/_emulator/requests/clear", e.url))
  e:no_changes(dir)
  local counts = e:counts()
  local names = {}
  for k, v in pairs(counts) do names[#names + 1] = string.format("%s %d", k, v) end
  table.sort(names)
  print(string.format("     HTTPS platform: a no-change plan made %d API calls: %s", total(counts), table.concat(names, ", ")))

  e:destroy(dir)
  local left = {}
  for svc, kinds in pairs(e:inventory()) do
    for kind, list in pairs(kinds) do
      for _, o in ipairs(list) do
        if not (svc == "kms" and kind == "key" and o.state == "PendingDeletion") then left[#left + 1] = svc .. "." .. kind end
      end
    end
  end
  expect(left).to_equal({})
end)
