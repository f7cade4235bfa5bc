-- aws_acm_certificate_validation: waits until an ACM certificate is
-- issued, as Terraform's resource of that name: no AWS object of its own.
-- Declared for aws._resource (contract v2) with its create and delete
-- replaced (irregular: the create is a wait, the delete does nothing).
--
-- The id is the certificate's ARN. A certificate that is not ISSUED
-- counts as gone, so a refresh plans the wait again. With
-- validation_record_fqdns the create first checks that they are the
-- certificate's validation records (Terraform's check). The wait is at
-- most timeout seconds (default 2700, Terraform's 45 minutes).
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")
local r53 = require("luaform.providers.aws._route53")
local acm = require("luaform.providers.aws._acm")

local read = acm.certificate

local T = resource.define{
  service = "acm", description = "Waits until an ACM certificate is issued.",
  identity = "CertificateArn", id = "CertificateArn",
  fields = {
    certificate_arn = { type = "string", required = true, force_new = true, wire = "CertificateArn",
      description = "The certificate to wait for." },
    validation_record_fqdns = { type = "set", elem = "string", optional = true, force_new = true, keep = true,
      description = "The validation records' names (checked against the certificate's)." },
    timeout = { type = "number", optional = true, default = 2700, keep = true,
      description = "Seconds to wait for ISSUED." },
  },
  create = { op = "DescribeCertificate" },
  read = read,
  gone = function(cert) return cert.Status ~= "ISSUED" end,
  not_found = { "ResourceNotFoundException" },
  delete = { op = "DescribeCertificate" },
}

function T.create(ctx, args)
  local arn = args.certificate_arn
  local cert = read(ctx, arn)
  if not cert then error(string.format("%s: certificate %s does not exist", ctx.address, arn), 0) end
  if args.validation_record_fqdns then
    local want = {}
    for _, o in ipairs(cert.DomainValidationOptions or {}) do
      if o.ResourceRecord then want[r53.name(o.ResourceRecord.Name)] = true end
    end
    for _, f in ipairs(args.validation_record_fqdns) do
      if not want[r53.name(f)] then
        error(string.format("%s: %s is not a validation record of certificate %s", ctx.address, f, arn), 0)
      end
    end
  end
  local issued = common.poll(ctx, function()
    local c = read(ctx, arn)
    if c and c.Status ~= "PENDING_VALIDATION" then return c end
  end, args.timeout or 2700, 5)
  if not issued then error(string.format("%s: certificate %s is not issued after %d s", ctx.address, arn, args.timeout or 2700), 0) end
  if issued.Status ~= "ISSUED" then
    error(string.format("%s: certificate %s is %s, not ISSUED", ctx.address, arn, issued.Status), 0)
  end
  return T.read(ctx, arn, args)
end

function T.delete() end   -- nothing in AWS is its own

return T
