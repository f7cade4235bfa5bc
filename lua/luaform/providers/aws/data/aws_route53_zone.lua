-- data aws_route53_zone: a hosted zone by zone_id or by name (and
-- private_zone), as Terraform's data source.
local resource = require("luaform.providers.aws._resource")
local lookup = require("luaform.providers.aws._lookup")
local r53 = require("luaform.providers.aws._route53")

return resource.data{
  service = "route53", description = "A Route 53 hosted zone, by id or name.",
  id = "zone_id",
  fields = {
    zone_id = { type = "string", optional = true, computed = true, description = "The zone's id." },
    name = { type = "string", optional = true, computed = true, description = "The zone's domain name." },
    private_zone = { type = "bool", optional = true, default = false, description = "Look for a private zone." },
    comment = { type = "string", computed = true, description = "The zone's comment." },
    name_servers = { type = "list", elem = "string", computed = true, description = "Its name servers." },
    arn = { type = "string", computed = true, description = "Its ARN." },
  },
  adjust = function(ctx, out, _, args)
    local c = ctx:client("route53")
    local id = args.zone_id
    if not id then
      for _, z in ipairs(c:ListHostedZonesByName{ DNSName = args.name }.HostedZones or {}) do
        if r53.same_name(z.Name, args.name) and (z.Config and z.Config.PrivateZone or false) == (args.private_zone or false) then
          id = r53.zone_id(z.Id)
          break
        end
      end
      if not id then lookup.fail(ctx, 'no hosted zone named "%s"', tostring(args.name)) end
    end
    local got = c:GetHostedZone{ Id = r53.zone_id(id) }
    local z = got.HostedZone
    out.zone_id, out.name = r53.zone_id(z.Id), r53.name(z.Name)
    out.comment = z.Config and z.Config.Comment or nil
    out.private_zone = z.Config and z.Config.PrivateZone or false
    out.name_servers = got.DelegationSet and got.DelegationSet.NameServers or {}
    out.arn = "arn:aws:route53:::hostedzone/" .. out.zone_id
  end,
}
