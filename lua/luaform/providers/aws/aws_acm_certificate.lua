-- aws_acm_certificate: an ACM certificate requested with DNS (or email)
-- validation, as Terraform's AWS provider has it; declared for
-- aws._resource (contract v2).
--
-- The id is the ARN. domain_name, subject_alternative_names,
-- validation_method and key_algorithm force a new certificate (with
-- create_before_destroy the new one is requested while the old one still
-- serves a listener); options change with UpdateCertificateOptions.
-- domain_validation_options lists each domain's validation CNAME (name,
-- type, value), which aws_route53_record can write and
-- aws_acm_certificate_validation waits for. The request's
-- IdempotencyToken comes from the create's token (ACM returns the same
-- certificate for an hour), and a lost create is found by its token tag.
-- Delete waits while a load balancer still uses the certificate.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local acm = require("luaform.providers.aws._acm")

local read = acm.certificate

local function validation_options(_, cert)
  local out = {}
  for _, o in ipairs(cert.DomainValidationOptions or {}) do
    local rr = o.ResourceRecord or {}
    out[#out + 1] = { domain_name = o.DomainName, resource_record_name = rr.Name,
      resource_record_type = rr.Type, resource_record_value = rr.Value }
  end
  table.sort(out, function(a, b) return a.domain_name < b.domain_name end)
  return out
end

local function token_of(token) return (tostring(token):gsub("%-", ""):sub(1, 32)) end

return resource.define{
  service = "acm", description = "An ACM certificate.",
  identity = "CertificateArn", id = "CertificateArn",
  fields = {
    domain_name = { type = "string", required = true, force_new = true, wire = "DomainName",
      description = "The certificate's domain." },
    subject_alternative_names = { type = "set", elem = "string", optional = true, computed = true, force_new = true,
      wire = "SubjectAlternativeNames", description = "More domains of the certificate (the domain itself included)." },
    validation_method = { type = "string", optional = true, default = "DNS", force_new = true,
      wire = "DomainValidationOptions", input = "ValidationMethod",
      from_wire = function(v) return v and v[1] and v[1].ValidationMethod or nil end,
      description = "DNS or EMAIL." },
    key_algorithm = { type = "string", optional = true, default = "RSA_2048", force_new = true, wire = "KeyAlgorithm",
      description = "RSA_2048, EC_prime256v1, ..." },
    options = { type = "list", max_items = 1, optional = true, computed = true, wire = "Options",
      description = "Certificate transparency logging.",
      set = function(_, c, arn, value, ch)
        local o = value and value[1] or {}
        c:UpdateCertificateOptions({ CertificateArn = arn, Options = {
          CertificateTransparencyLoggingPreference = o.certificate_transparency_logging_preference or "ENABLED" } }, ch.opts)
      end,
      block = { certificate_transparency_logging_preference = { type = "string", optional = true, default = "ENABLED",
        wire = "CertificateTransparencyLoggingPreference" } } },
    arn = { type = "string", computed = true, wire = "CertificateArn", description = "The certificate's ARN (also its id)." },
    status = { type = "string", computed = true, wire = "Status", description = "PENDING_VALIDATION, ISSUED, ..." },
    domain_validation_options = { type = "set", computed = true, from_wire = validation_options,
      description = "Each domain's validation record.",
      block = { domain_name = { type = "string", computed = true }, resource_record_name = { type = "string", computed = true },
        resource_record_type = { type = "string", computed = true }, resource_record_value = { type = "string", computed = true } } },
    not_before = { type = "number", computed = true, wire = "NotBefore", description = "Valid from (epoch seconds)." },
    not_after = { type = "number", computed = true, wire = "NotAfter", description = "Valid until (epoch seconds)." },
    type = { type = "string", computed = true, wire = "Type", description = "AMAZON_ISSUED or IMPORTED." },
  },
  create = { op = "RequestCertificate", idempotent = true, id = "CertificateArn",
    params = function(ctx, _, params) params.IdempotencyToken = token_of(ctx.token) end },
  read = read,
  find = function(ctx, args, token)
    local c = ctx:client("acm")
    for _, s in ipairs(c:collect("ListCertificates", {})) do
      if s.DomainName == args.domain_name then
        for _, t in ipairs(c:ListTagsForCertificate{ CertificateArn = s.CertificateArn }.Tags or {}) do
          if t.Key == tags.TOKEN_TAG and t.Value == token then return read(ctx, s.CertificateArn) end
        end
      end
    end
  end,
  not_found = { "ResourceNotFoundException" },
  not_visible = { "ResourceNotFoundException" },
  delete = { op = "DeleteCertificate", busy = { "ResourceInUseException" } },
  tags = tags.api{ create = "Tags", form = "list", by = "id", param = "CertificateArn",
    read = { op = "ListTagsForCertificate", result = "Tags" },
    tag = { op = "AddTagsToCertificate", member = "Tags" }, untag = { op = "RemoveTagsFromCertificate", member = "Tags" } },
}
