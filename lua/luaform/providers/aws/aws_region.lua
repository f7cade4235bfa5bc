-- data aws_region: the provider's region, as Terraform's data source:
-- name (also the id) and the EC2 endpoint host. No AWS call: the region
-- is the provider block's, else AWS_REGION / AWS_DEFAULT_REGION. Given a
-- name, it must be that region (Terraform's check).
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")

return resource.data{
  service = "ec2", description = "The provider's region.", id = "name",
  fields = {
    name = { type = "string", optional = true, computed = true },
    endpoint = { type = "string", computed = true },
    description = { type = "string", computed = true },
  },
  adjust = function(ctx, out, _, args)
    local region = common.region(ctx)
    if args.name and args.name ~= region then
      error(string.format('%s: region "%s" is not the provider\'s region "%s"', ctx.address, args.name, region), 0)
    end
    local suffix = region:match("^cn%-") and "amazonaws.com.cn" or "amazonaws.com"
    out.name, out.endpoint, out.description = region, "ec2." .. region .. "." .. suffix, region
  end,
}
