-- stdlib.vpc: a VPC with public and private subnets across zones.
--
--   local net = module("network", require("stdlib.vpc"), {
--     vpc_cidr_block = "10.0.0.0/16", azs = { "ap-northeast-2a", "ap-northeast-2c" },
--     public_subnet_cidrs = { "10.0.1.0/24", "10.0.2.0/24" },
--     private_subnet_cidrs = { "10.0.11.0/24", "10.0.12.0/24" },
--   })
--
-- Creates the VPC, an internet gateway, the subnets (one public and one
-- private per zone, keyed by zone: aws_subnet.public["ap-northeast-2a"];
-- public ones map public IPs on launch), an Elastic IP + NAT gateway in the
-- first public subnet (or one per zone with single_nat_gateway = false), a
-- public route table (0.0.0.0/0 -> internet gateway), a private one per
-- NAT gateway (0.0.0.0/0 -> NAT), and each subnet's association.
-- Arguments: vpc_cidr_block, azs, public_subnet_cidrs, private_subnet_cidrs
-- (required; the lists in the order of azs, known when the stack is
-- evaluated); name ("vpc-base"), tags ({}), single_nat_gateway (true),
-- enable_dns_support (true), enable_dns_hostnames (true); off unless given:
-- gateway_endpoints (services such as { "s3" }: a Gateway endpoint each on
-- every route table), interface_endpoints ({ "ecr.api", "ecr.dkr", "logs",
-- "secretsmanager" }: an Interface endpoint each in the private subnets
-- with private DNS, behind a security group open to the VPC on 443),
-- flow_logs ({ log_destination = ARN, iam_role_arn = ARN (CloudWatch Logs
-- only), traffic_type = "ALL", log_destination_type = "cloud-watch-logs" }).
-- Returns vpc_id, vpc_cidr_block, public_subnet_ids, private_subnet_ids
-- (lists in the order of azs), nat_gateway_id (the first), nat_gateway_ids,
-- internet_gateway_id, public_route_table_id, private_route_table_ids,
-- vpc_endpoint_ids (service -> id; {} when none).
-- The interface is checked at the call (luaform.interface); a misuse is
-- reported at the caller's module() line.
local errors = require("luaform.errors")
local strict = require("luaform.strict")

local CIDR = "^%d+%.%d+%.%d+%.%d+/%d+$"

local cidr = require("luaform.interface").valid.text(CIDR, nil, "an IPv4 CIDR block")

-- The module declares a subnet per zone, so the lists must be known when
-- the stack is evaluated.
local INPUTS = {
  vpc_cidr_block = { type = "string", required = true, validation = cidr, description = "the VPC's IPv4 CIDR block" },
  azs = { type = "list(string)", required = true, known = true, description = "the zones, one subnet of each kind in each" },
  public_subnet_cidrs = { type = "list(string)", required = true, known = true, description = "in the order of azs" },
  private_subnet_cidrs = { type = "list(string)", required = true, known = true, description = "in the order of azs" },
  name = { type = "string", description = 'the Name tag (default "vpc-base")' },
  tags = { type = "map(string)", description = "tags of every object" },
  single_nat_gateway = { type = "bool", description = "one NAT gateway (default true), or one per zone" },
  enable_dns_support = { type = "bool", description = "default true" },
  enable_dns_hostnames = { type = "bool", description = "default true" },
  gateway_endpoints = { type = "list(string)", known = true, description = 'services such as { "s3" }: a Gateway endpoint each' },
  interface_endpoints = { type = "list(string)", known = true, description = "services: an Interface endpoint each in the private subnets" },
  flow_logs = { type = "object({ log_destination = string, iam_role_arn = optional(string),"
    .. " traffic_type = optional(string), log_destination_type = optional(string) })",
    description = "the VPC's flow log (off unless given)" },
}

local OUTPUTS = {}
for _, k in ipairs({ "vpc_id", "vpc_cidr_block", "public_subnet_ids", "private_subnet_ids", "nat_gateway_id",
  "nat_gateway_ids", "internet_gateway_id", "public_route_table_id", "private_route_table_ids", "vpc_endpoint_ids" }) do
  OUTPUTS[k] = {}
end

-- What the types cannot say: the lists against each other.
local function check(where, args)
  local function fail(fmt, ...) errors.raise(where, "stdlib.vpc: " .. fmt, ...) end
  if #args.azs == 0 then fail("azs: at least one zone is needed") end
  local seen = {}
  for _, z in ipairs(args.azs) do
    if seen[z] then fail('azs: zone "%s" is listed twice', z) end
    seen[z] = true
  end
  for _, k in ipairs({ "public_subnet_cidrs", "private_subnet_cidrs" }) do
    if #args[k] ~= #args.azs then
      fail("%s: %d CIDR blocks for %d zones (one per zone, in the order of azs)", k, #args[k], #args.azs)
    end
    for i, c in ipairs(args[k]) do
      if not c:match(CIDR) then fail('%s[%d]: "%s" is not an IPv4 CIDR block', k, i, c) end
    end
  end
end

local function with_name(tags, name)
  local out = {}
  for k, v in pairs(tags or {}) do out[k] = v end
  out.Name = name
  return out
end

local function body(args)
  check(strict.user_where(2), args)   -- the module() call in the caller's file
  local name = args.name or "vpc-base"
  local tags = args.tags or {}
  local single = args.single_nat_gateway ~= false

  local vpc = resource("aws_vpc", "this", {
    cidr_block = args.vpc_cidr_block,
    enable_dns_support = args.enable_dns_support ~= false,
    enable_dns_hostnames = args.enable_dns_hostnames ~= false,
    tags = with_name(tags, name),
  })
  local igw = resource("aws_internet_gateway", "this", {
    vpc_id = vpc.id, tags = with_name(tags, name .. "-igw"),
  })

  local public, private = {}, {}
  for i, az in ipairs(args.azs) do
    public[i] = resource("aws_subnet", "public", {
      vpc_id = vpc.id, cidr_block = args.public_subnet_cidrs[i], availability_zone = az,
      map_public_ip_on_launch = true, tags = with_name(tags, name .. "-public-" .. az),
    }, { key = az })
    private[i] = resource("aws_subnet", "private", {
      vpc_id = vpc.id, cidr_block = args.private_subnet_cidrs[i], availability_zone = az,
      tags = with_name(tags, name .. "-private-" .. az),
    }, { key = az })
  end

  -- NAT gateways: one in the first public subnet, or one per zone
  local nats = {}
  for i, az in ipairs(single and { args.azs[1] } or args.azs) do
    local suffix = single and "" or ("-" .. az)
    local lc = single and { depends_on = { igw } } or { key = az, depends_on = { igw } }
    local eip_lc = nil
    if not single then eip_lc = { key = az } end
    local eip = resource("aws_eip", "nat", { domain = "vpc", tags = with_name(tags, name .. "-nat" .. suffix) },
      eip_lc)
    nats[i] = resource("aws_nat_gateway", "this", {
      allocation_id = eip.id, subnet_id = public[i].id, tags = with_name(tags, name .. "-nat" .. suffix),
    }, lc)
  end

  local public_rt = resource("aws_route_table", "public", {
    vpc_id = vpc.id,
    route = { { cidr_block = "0.0.0.0/0", gateway_id = igw.id } },
    tags = with_name(tags, name .. "-public"),
  })
  local private_rts = {}
  for i, nat in ipairs(nats) do
    local az = args.azs[i]
    private_rts[i] = resource("aws_route_table", "private", {
      vpc_id = vpc.id,
      route = { { cidr_block = "0.0.0.0/0", nat_gateway_id = nat.id } },
      tags = with_name(tags, name .. "-private" .. (single and "" or ("-" .. az))),
    }, not single and { key = az } or {})
  end

  for i, az in ipairs(args.azs) do
    resource("aws_route_table_association", "public", {
      subnet_id = public[i].id, route_table_id = public_rt.id,
    }, { key = az })
    resource("aws_route_table_association", "private", {
      subnet_id = private[i].id, route_table_id = (single and private_rts[1] or private_rts[i]).id,
    }, { key = az })
  end

  -- optional: VPC endpoints and flow logs
  local region = args.azs[1]:gsub("%l$", "")
  local endpoint_ids, all_rt_ids = {}, { public_rt.id }
  for _, t in ipairs(private_rts) do all_rt_ids[#all_rt_ids + 1] = t.id end
  for _, svc in ipairs(args.gateway_endpoints or {}) do
    endpoint_ids[svc] = resource("aws_vpc_endpoint", "gateway", { vpc_id = vpc.id,
      service_name = "com.amazonaws." .. region .. "." .. svc, route_table_ids = all_rt_ids,
      tags = with_name(tags, name .. "-" .. svc) }, { key = svc }).id
  end
  if args.interface_endpoints and #args.interface_endpoints > 0 then
    local sg = resource("aws_security_group", "endpoints", { name = name .. "-endpoints", vpc_id = vpc.id,
      description = "HTTPS from the VPC to its interface endpoints",
      ingress = { { protocol = "tcp", from_port = 443, to_port = 443, cidr_blocks = { args.vpc_cidr_block } } },
      tags = with_name(tags, name .. "-endpoints") })
    local subnet_ids = {}
    for i = 1, #args.azs do subnet_ids[i] = private[i].id end
    for _, svc in ipairs(args.interface_endpoints) do
      endpoint_ids[svc] = resource("aws_vpc_endpoint", "interface", { vpc_id = vpc.id,
        service_name = "com.amazonaws." .. region .. "." .. svc, vpc_endpoint_type = "Interface",
        private_dns_enabled = true, subnet_ids = subnet_ids, security_group_ids = { sg.id },
        tags = with_name(tags, name .. "-" .. svc) }, { key = svc }).id
    end
  end
  if args.flow_logs then
    local f = args.flow_logs
    resource("aws_flow_log", "this", { vpc_id = vpc.id, traffic_type = f.traffic_type or "ALL",
      log_destination_type = f.log_destination_type, log_destination = f.log_destination,
      iam_role_arn = f.iam_role_arn, tags = with_name(tags, name .. "-flow-logs") })
  end

  local public_ids, private_ids, nat_ids, private_rt_ids = {}, {}, {}, {}
  for i = 1, #args.azs do public_ids[i], private_ids[i] = public[i].id, private[i].id end
  for i, n in ipairs(nats) do nat_ids[i] = n.id end
  for i, t in ipairs(private_rts) do private_rt_ids[i] = t.id end
  return {
    vpc_id = vpc.id,
    vpc_cidr_block = vpc.cidr_block,
    public_subnet_ids = public_ids,
    private_subnet_ids = private_ids,
    nat_gateway_id = nats[1].id,
    nat_gateway_ids = nat_ids,
    internet_gateway_id = igw.id,
    public_route_table_id = public_rt.id,
    private_route_table_ids = private_rt_ids,
    vpc_endpoint_ids = endpoint_ids,
  }
end

return { inputs = INPUTS, outputs = OUTPUTS, body = body }
