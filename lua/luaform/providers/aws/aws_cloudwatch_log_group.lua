-- aws_cloudwatch_log_group: a CloudWatch Logs group, as Terraform has it;
-- declared for aws._resource (contract v2).
--
-- The id is the group name; arn is without the ":*" suffix Logs adds (as
-- Terraform). retention_in_days 0 means "never expire" (the policy is
-- deleted). A refresh pages DescribeLogGroups once over the groups'
-- common name prefix (the API lists by prefix, not by names).
-- log_group_class (STANDARD or INFREQUENT_ACCESS) is fixed at creation.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")

local function common_prefix(names)
  local p = names[1] or ""
  for i = 2, #names do
    local j = 0
    while j < #p and j < #names[i] and p:byte(j + 1) == names[i]:byte(j + 1) do j = j + 1 end
    p = p:sub(1, j)
  end
  return p
end

-- {name = group} of names: one paged scan by their common prefix (or one per name).
local function describe(ctx, names)
  local c, want, found = ctx:client("logs"), {}, {}
  for _, n in ipairs(names) do want[n] = true end
  local function scan(prefix)
    for _, g in ipairs(c:collect("DescribeLogGroups", { logGroupNamePrefix = prefix ~= "" and prefix or nil })) do
      if want[g.logGroupName] then found[g.logGroupName] = g end
    end
  end
  local prefix = common_prefix(names)
  if #names == 1 or #prefix >= 3 then scan(prefix) else for _, n in ipairs(names) do scan(n) end end
  return found
end

return resource.define{
  service = "logs", description = "A CloudWatch Logs log group.",
  identity = "logGroupName", id = "logGroupName",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "logGroupName",
      description = "The group's name (also its id)." },
    retention_in_days = { type = "number", optional = true, default = 0, wire = "retentionInDays", input = false,
      set = "PutRetentionPolicy", unset = "DeleteRetentionPolicy",
      description = "Days to keep events; 0 keeps them forever." },
    kms_key_id = { type = "string", optional = true, absent_is_unset = true, wire = "kmsKeyId",
      set = "AssociateKmsKey", unset = "DisassociateKmsKey", description = "KMS key ARN that encrypts the events." },
    -- computed, not a default: a read that leaves it out (moto) keeps the class known before
    log_group_class = { type = "string", optional = true, computed = true, force_new = true,
      wire = "logGroupClass", description = "STANDARD (AWS's default) or INFREQUENT_ACCESS (cheaper storage, fewer features)." },
    skip_destroy = { type = "bool", optional = true, default = false, keep = true,
      description = "On destroy, forget the group but leave it in AWS." },
    arn = { type = "string", computed = true, wire = "arn",
      from_wire = function(v) return v and (v:gsub(":%*$", "")) end, description = "The group's ARN." },
  },
  create = { op = "CreateLogGroup", exists = { "ResourceAlreadyExistsException" } },
  read_many = describe,
  not_found = { "ResourceNotFoundException" },
  not_visible = { "ResourceNotFoundException" },
  delete = { op = "DeleteLogGroup", skip = "skip_destroy" },
  tags = tags.api{ create = "tags", form = "map", by = "id", param = "logGroupName",
    read = { op = "ListTagsLogGroup", result = "tags" }, not_found = { ResourceNotFoundException = true },
    tag = { op = "TagLogGroup", member = "tags" }, untag = { op = "UntagLogGroup", member = "tags" } },
}
