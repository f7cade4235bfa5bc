-- aws_ssm_parameter: an SSM Parameter Store parameter (String, StringList
-- or SecureString), as Terraform's AWS provider has it; declared for
-- aws._resource (contract v2).
--
-- The id is the name. value is sensitive (hidden in plans, state show and
-- logs; the transport's debug log withholds bodies the model marks
-- sensitive). Every change is one PutParameter with Overwrite carrying
-- all settings (a new version); name and data_type force a new parameter.
-- A refresh reads values ten at a time (GetParameters, decrypted) and the
-- settings fifty at a time (DescribeParameters by name). PutParameter has
-- no token: a lost create is found by name and proved ours by its token
-- tag (tags are written with it).
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local common = require("luaform.providers.aws._common")

-- {name = parameter with its settings} of names.
local function describe(ctx, names)
  local c, found = ctx:client("ssm"), {}
  for _, chunk in ipairs(common.chunks(names, 10)) do
    for _, p in ipairs(c:GetParameters{ Names = chunk, WithDecryption = true }.Parameters or {}) do
      found[p.Name] = p
    end
  end
  local have = {}
  for _, n in ipairs(names) do if found[n] then have[#have + 1] = n end end
  for _, chunk in ipairs(common.chunks(have, 50)) do
    local filters = { { Key = "Name", Option = "Equals", Values = chunk } }
    for _, m in ipairs(c:collect("DescribeParameters", { ParameterFilters = filters })) do
      local p = found[m.Name]
      if p then
        p.Description, p.KeyId, p.Tier, p.AllowedPattern = m.Description, m.KeyId, m.Tier, m.AllowedPattern
      end
    end
  end
  return found
end

-- One PutParameter (Overwrite) with every setting, once per update.
local put = setmetatable({}, { __mode = "k" })
local function put_all(_, c, id, _, ch)
  local new = ch.new
  if put[new] then return end
  put[new] = true
  c:PutParameter({ Name = id, Overwrite = true, Type = new.type, Value = new.value,
    Description = new.description or "", KeyId = new.type == "SecureString" and new.key_id or nil,
    Tier = new.tier, AllowedPattern = new.allowed_pattern, DataType = new.data_type }, ch.opts)
end

return resource.define{
  service = "ssm", description = "An SSM Parameter Store parameter.",
  identity = "Name", id = "Name",
  fields = {
    name = { type = "string", required = true, force_new = true, wire = "Name",
      description = "The parameter's name (also its id)." },
    type = { type = "string", required = true, wire = "Type", set = put_all,
      description = "String, StringList or SecureString." },
    value = { type = "string", required = true, sensitive = true, wire = "Value", set = put_all,
      description = "The value (sensitive)." },
    description = { type = "string", optional = true, wire = "Description", set = put_all,
      description = "The parameter's description." },
    key_id = { type = "string", optional = true, computed = true, wire = "KeyId", set = put_all,
      description = "The KMS key of a SecureString (default alias/aws/ssm)." },
    tier = { type = "string", optional = true, default = "Standard", wire = "Tier", set = put_all,
      description = "Standard, Advanced or Intelligent-Tiering." },
    allowed_pattern = { type = "string", optional = true, wire = "AllowedPattern", set = put_all,
      description = "A regular expression values must match." },
    data_type = { type = "string", optional = true, default = "text", force_new = true, wire = "DataType",
      description = "text, aws:ec2:image or aws:ssm:integration." },
    arn = { type = "string", computed = true, wire = "ARN", description = "The parameter's ARN." },
    version = { type = "number", computed = true, wire = "Version", description = "The parameter's version." },
  },
  create = { op = "PutParameter", exists = { "ParameterAlreadyExists" } },
  read_many = describe,
  not_found = { "ParameterNotFound" },
  delete = { op = "DeleteParameter" },
  tags = tags.api{ create = "Tags", form = "list", by = "id", param = "ResourceId",
    fixed = { ResourceType = "Parameter" }, read = { op = "ListTagsForResource", result = "TagList" },
    not_found = { InvalidResourceId = true },
    tag = { op = "AddTagsToResource", member = "Tags" }, untag = { op = "RemoveTagsFromResource", member = "TagKeys" } },
}
