-- aws._acm: what the ACM types share: reading one certificate by its ARN
-- (aws_acm_certificate reads it, aws_acm_certificate_validation waits on
-- its status).
local M = {}

-- The certificate (DescribeCertificate's Certificate), nil when ACM does
-- not know the ARN.
function M.certificate(ctx, arn)
  local c = ctx:client("acm")
  local ok, out = pcall(c.DescribeCertificate, c, { CertificateArn = arn })
  if not ok then
    if type(out) == "table" and out.code == "ResourceNotFoundException" then return nil end
    error(out, 0)
  end
  return out.Certificate
end

return M
