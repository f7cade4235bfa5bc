-- data aws_availability_zones: the zones of the provider's region, as
-- Terraform's data source (names, zone_ids, group_names, sorted by name).
--
-- state filters on the zone state ("available"), exclude_names and
-- exclude_zone_ids drop zones, filter blocks are passed to
-- DescribeAvailabilityZones; all_availability_zones includes opt-in zones.
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")

return resource.data{
  service = "ec2", description = "The availability zones of the provider's region.",
  read = { op = "DescribeAvailabilityZones", params = function(args)
    local filters = {}
    for _, f in ipairs(args.filter or {}) do filters[#filters + 1] = { Name = f.name, Values = f.values } end
    if args.state then filters[#filters + 1] = { Name = "state", Values = { args.state } } end
    return { AllAvailabilityZones = args.all_availability_zones, Filters = #filters > 0 and filters or nil }
  end },
  fields = {
    all_availability_zones = { type = "bool", optional = true },
    state = { type = "string", optional = true },
    exclude_names = { type = "set", elem = "string", optional = true },
    exclude_zone_ids = { type = "set", elem = "string", optional = true },
    filter = { type = "set", optional = true, block = {
      name = { type = "string", required = true },
      values = { type = "set", elem = "string", required = true },
    } },
    names = { type = "list", elem = "string", computed = true },
    zone_ids = { type = "list", elem = "string", computed = true },
    group_names = { type = "set", elem = "string", computed = true },
  },
  -- the zones left after the exclusions, sorted by name
  adjust = function(_, out, r, args)
    local skip = {}
    for _, n in ipairs(args.exclude_names or {}) do skip[n] = true end
    for _, n in ipairs(args.exclude_zone_ids or {}) do skip[n] = true end
    local zones = {}
    for _, z in ipairs(r.AvailabilityZones or {}) do
      if not skip[z.ZoneName] and not skip[z.ZoneId] then zones[#zones + 1] = z end
    end
    table.sort(zones, function(a, b) return a.ZoneName < b.ZoneName end)
    local names, ids, groups, seen = {}, {}, {}, {}
    for _, z in ipairs(zones) do
      names[#names + 1], ids[#ids + 1] = z.ZoneName, z.ZoneId
      if z.GroupName and not seen[z.GroupName] then seen[z.GroupName] = true; groups[#groups + 1] = z.GroupName end
    end
    table.sort(groups)
    out.names, out.zone_ids, out.group_names = names, ids, groups
  end,
  id = function(ctx) return common.region(ctx) end,
}
