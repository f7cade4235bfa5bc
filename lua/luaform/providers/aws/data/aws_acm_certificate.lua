-- data aws_acm_certificate: the certificate of a domain (statuses, default
-- ISSUED; most_recent picks the newest of several, else several is an
-- error), as Terraform's data source.
local resource = require("luaform.providers.aws._resource")
local lookup = require("luaform.providers.aws._lookup")

return resource.data{
  service = "acm", description = "The ACM certificate of a domain.",
  id = "arn",
  fields = {
    domain = { type = "string", required = true, description = "The certificate's domain." },
    statuses = { type = "list", elem = "string", optional = true, description = "Statuses to match (default ISSUED)." },
    most_recent = { type = "bool", optional = true, default = false, description = "The newest of several." },
    arn = { type = "string", computed = true, description = "The certificate's ARN." },
    status = { type = "string", computed = true, description = "Its status." },
  },
  adjust = function(ctx, out, _, args)
    local c = ctx:client("acm")
    local found = {}
    for _, s in ipairs(c:collect("ListCertificates", { CertificateStatuses = args.statuses or { "ISSUED" } })) do
      if s.DomainName == args.domain then found[#found + 1] = c:DescribeCertificate{ CertificateArn = s.CertificateArn }.Certificate end
    end
    if #found == 0 then lookup.fail(ctx, 'no certificate for "%s"', args.domain) end
    if #found > 1 and not args.most_recent then
      lookup.fail(ctx, '%d certificates for "%s" (set most_recent)', #found, args.domain)
    end
    table.sort(found, function(a, b) return (a.CreatedAt or 0) > (b.CreatedAt or 0) end)
    out.arn, out.status = found[1].CertificateArn, found[1].Status
  end,
}
