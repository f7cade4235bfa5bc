-- aws_eip: an Elastic IP address in a VPC, as Terraform's aws_eip.
--
-- The id is the allocation id. domain forces a new address; tags change
-- in place. AllocateAddress has no ClientToken: the address is tagged
-- with the create's token and a lost allocation is found by it. Release
-- retries while the address is still held (a NAT gateway being deleted:
-- AWS answers AuthFailure or InvalidIPAddress.InUse) for a bounded time.
-- Refresh: one DescribeAddresses for every address of the state. What the
-- address is associated with is not exported (it changes when a NAT
-- gateway takes it, which would read as drift of the address).
local common = require("luaform.providers.aws._common")

local M = {}

M.schema = common.tag_schema({
  domain = { type = "string", optional = true, default = "vpc", force_new = true },
  allocation_id = { type = "string", computed = true },
  public_ip = { type = "string", computed = true },
  public_ipv4_pool = { type = "string", computed = true },
})

local function attributes(ctx, e)
  local tags, all = common.split_tags(ctx, common.tag_map(e.Tags))
  return common.finish(M, {
    id = e.AllocationId, allocation_id = e.AllocationId, domain = e.Domain or "vpc",
    public_ip = e.PublicIp, public_ipv4_pool = e.PublicIpv4Pool,
    tags = tags, tags_all = all,
  })
end

function M.create(ctx, args)
  local c = ctx:client("ec2")
  local e = common.create(ctx, {
    call = function(o)
      local r = c:AllocateAddress({ Domain = args.domain,
        TagSpecifications = common.tag_specs(ctx, "elastic-ip", args.tags) }, o)
      r.Tags = common.tag_list(common.create_tags(ctx, args.tags))
      return r
    end,
    find = function()
      return c:DescribeAddresses({ Filters = { common.token_filter(ctx.token) } }).Addresses[1]
    end,
  })
  return attributes(ctx, e)
end

function M.read_batch(ctx, ids)
  local found = common.ec2_batch(ctx, ids, "DescribeAddresses", "allocation-id", "Addresses", "AllocationId")
  local out = {}
  for id, e in pairs(found) do out[id] = attributes(ctx, e) end
  return out
end

function M.read(ctx, id) return M.read_batch(ctx, { id })[id] end

function M.update(ctx, id, old, new)
  common.update_ec2_tags(ctx, id, old.tags_all, new.tags)
  local a = {}
  for k, v in pairs(old) do a[k] = v end
  a.tags, a.tags_all = new.tags, common.all_tags(ctx, new.tags)
  return common.finish(M, a)
end

function M.delete(ctx, id)
  local c = ctx:client("ec2")
  common.delete(ctx, function() return common.call(ctx, c, "ReleaseAddress", { AllocationId = id }) end,
    300, { AuthFailure = true })
end

function M.import(ctx, id)
  local r = common.call(ctx, ctx:client("ec2"), "DescribeAddresses", { AllocationIds = { id } })
  if not r.Addresses[1] then error("importing aws_eip: no address " .. id, 0) end
  return attributes(ctx, r.Addresses[1])
end

function M.recover(ctx, pending)
  common.settle(ctx, pending)
  local e = common.call(ctx, ctx:client("ec2"), "DescribeAddresses",
    { Filters = { common.token_filter(pending.token) } }).Addresses[1]
  return e and attributes(ctx, e) or nil
end

return M
