-- aws_lb_listener_certificate: an extra (SNI) certificate of an HTTPS
-- listener, as Terraform's AWS provider has it; declared for
-- aws._resource (contract v2).
--
-- The id is Terraform's "listener_arn_certificate_arn" (also the import
-- id); both arguments force a new one. AddListenerCertificates is
-- idempotent (a re-sent create adds nothing twice). A refresh asks each
-- listener once (DescribeListenerCertificates) for all its certificates.
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")

local function split(id)
  local listener, cert = tostring(id):match("^(arn:[^_]+)_(arn:.+)$")
  if not listener then
    error(string.format('aws_lb_listener_certificate: id "%s" is not "listener_arn_certificate_arn"', tostring(id)), 0)
  end
  return listener, cert
end

local function id_of(obj) return obj.ListenerArn .. "_" .. obj.CertificateArn end

local function describe(ctx, ids)
  local c = ctx:client("elbv2")
  return common.read_children(ids, split, function(listeners, keep)
    for _, listener in ipairs(listeners) do
      local ok, list = pcall(c.collect, c, "DescribeListenerCertificates", { ListenerArn = listener })
      if not ok and not (type(list) == "table" and list.code == "ListenerNotFound") then error(list, 0) end
      for _, cert in ipairs(ok and list or {}) do
        if not cert.IsDefault then
          local obj = { ListenerArn = listener, CertificateArn = cert.CertificateArn }
          keep(id_of(obj), obj)
        end
      end
    end
  end)
end

local T = resource.define{
  service = "elbv2", description = "An extra certificate of an HTTPS listener.",
  id = id_of,
  fields = {
    listener_arn = { type = "string", required = true, force_new = true, wire = "ListenerArn",
      description = "The listener's ARN." },
    certificate_arn = { type = "string", required = true, force_new = true, wire = "CertificateArn",
      input = false, description = "The certificate's ARN." },
  },
  create = { op = "AddListenerCertificates", idempotent = true,
    params = function(_, args, params) params.Certificates = { { CertificateArn = args.certificate_arn } } end,
    result = function(_, args) return { ListenerArn = args.listener_arn, CertificateArn = args.certificate_arn } end },
  read_many = describe,
  not_found = { "ListenerNotFound" },
  delete = { op = "RemoveListenerCertificates", params = function(id)
    local listener, cert = split(id)
    return { ListenerArn = listener, Certificates = { { CertificateArn = cert } } }
  end },
}
return T
