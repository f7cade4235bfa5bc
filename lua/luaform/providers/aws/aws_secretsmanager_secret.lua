-- aws_secretsmanager_secret: a Secrets Manager secret (without its
-- value: aws_secretsmanager_secret_version), as Terraform's AWS provider
-- has it; declared for aws._resource (contract v2).
--
-- The id is the ARN. name and name_prefix force a new secret;
-- description and kms_key_id change with UpdateSecret, policy with
-- PutResourcePolicy / DeleteResourcePolicy. A secret scheduled for
-- deletion counts as gone. Delete schedules deletion after
-- recovery_window_in_days (0: at once, ForceDeleteWithoutRecovery). A
-- refresh lists the secrets by name ten names a call (ListSecrets) and
-- reads each policy. A lost create is found by name (DescribeSecret) and
-- proved ours by its token tag.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local json = require("luaform.providers.aws._json")
local common = require("luaform.providers.aws._common")
local iam = require("luaform.providers.aws._iam")

-- A secret's name from its ARN (AWS adds "-" and six characters).
local function name_of(arn) return (tostring(arn):match(":secret:(.+)%-%w%w%w%w%w%w$")) end

local function describe(ctx, arns)
  local c, want, found = ctx:client("secretsmanager"), {}, {}
  local names = {}
  for _, a in ipairs(arns) do
    want[a] = true
    names[#names + 1] = name_of(a) or a
  end
  for _, chunk in ipairs(common.chunks(names, 10)) do
    for _, s in ipairs(c:collect("ListSecrets", { Filters = { { Key = "name", Values = chunk } } })) do
      if want[s.ARN] then found[s.ARN] = s end
    end
  end
  return found
end

local function update_secret(_, c, id, _, ch)
  c:UpdateSecret({ SecretId = id, Description = ch.new.description or "", KmsKeyId = ch.new.kms_key_id or "" }, ch.opts)
end

return resource.define{
  service = "secretsmanager", description = "A Secrets Manager secret.",
  identity = "SecretId", id = "ARN",
  fields = {
    name = { type = "string", optional = true, computed = true, force_new = true, wire = "Name",
      description = "The secret's name (default: made from name_prefix)." },
    name_prefix = { type = "string", optional = true, force_new = true, keep = true,
      description = "A prefix for a unique name, when name is not given." },
    description = { type = "string", optional = true, wire = "Description", set = update_secret,
      description = "The secret's description." },
    kms_key_id = { type = "string", optional = true, wire = "KmsKeyId", set = update_secret,
      description = "The KMS key that encrypts the secret's values (default: aws/secretsmanager)." },
    policy = { type = "json", optional = true, equal = json.policy_equal, input = false,
      description = "The secret's resource policy.",
      set = function(_, c, id, value, ch)
        if value == nil then return c:DeleteResourcePolicy({ SecretId = id }, ch.opts) end
        c:PutResourcePolicy({ SecretId = id, ResourcePolicy = json.text(value) }, ch.opts)
      end },
    recovery_window_in_days = { type = "number", optional = true, default = 30, keep = true,
      description = "Days a deleted secret can be restored (0: deleted at once)." },
    arn = { type = "string", computed = true, wire = "ARN", description = "The secret's ARN (also its id)." },
  },
  create = { op = "CreateSecret", exists = { "ResourceExistsException" },
    params = function(ctx, args, params) params.Name = iam.name(args, ctx.token) end },
  read = { op = "DescribeSecret" },
  read_many = describe,
  read_extra = function(_, c, obj, prior)
    local out = c:GetResourcePolicy{ SecretId = obj.ARN }
    local doc = out.ResourcePolicy
    return { policy = doc and json.keep(prior.policy, doc, json.policy_equal) or nil }
  end,
  gone = function(obj) return obj.DeletedDate ~= nil end,
  find = function(ctx, args, token)
    local c = ctx:client("secretsmanager")
    local ok, out = pcall(c.DescribeSecret, c, { SecretId = iam.name(args, token) })
    if ok and not out.DeletedDate then return out end
  end,
  not_found = { "ResourceNotFoundException" },
  not_visible = { "ResourceNotFoundException" },
  delete = { op = "DeleteSecret", params = function(id, attrs)
    local days = attrs.recovery_window_in_days or 30
    if days == 0 then return { SecretId = id, ForceDeleteWithoutRecovery = true } end
    return { SecretId = id, RecoveryWindowInDays = days }
  end },
  tags = tags.api{ create = "Tags", form = "list", by = "id", param = "SecretId", in_object = "Tags",
    tag = { op = "TagResource", member = "Tags" }, untag = { op = "UntagResource", member = "TagKeys" } },
}
