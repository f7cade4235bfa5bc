-- aws_kms_alias: a KMS alias ("alias/..."), as Terraform's AWS provider
-- has it; declared for aws._resource (contract v2).
--
-- The id is the alias name. name and name_prefix force a new alias;
-- target_key_id changes in place (UpdateAlias). A refresh lists the
-- region's aliases once (ListAliases). CreateAlias with a name that exists
-- after our own lost send is settled by reading that alias (aliases carry
-- no tags, so the name alone proves it, as in Terraform).
local resource = require("luaform.providers.aws._resource")
local iam = require("luaform.providers.aws._iam")

local function all(ctx, names)
  local want, found = {}, {}
  for _, n in ipairs(names) do want[n] = true end
  for _, a in ipairs(ctx:client("kms"):collect("ListAliases", {})) do
    if want[a.AliasName] then found[a.AliasName] = a end
  end
  return found
end

local function key_arn(obj)
  local region_account = obj.AliasArn and obj.AliasArn:match("^(arn:[^:]+:kms:[^:]+:%d+):")
  return region_account and obj.TargetKeyId and (region_account .. ":key/" .. obj.TargetKeyId) or nil
end

return resource.define{
  service = "kms", description = "A KMS alias.",
  identity = "AliasName", id = "AliasName",
  fields = {
    name = { type = "string", optional = true, computed = true, force_new = true, wire = "AliasName",
      description = "The alias, \"alias/\" and a name (default: made from name_prefix)." },
    name_prefix = { type = "string", optional = true, force_new = true, keep = true,
      description = "A prefix for a unique name, when name is not given." },
    target_key_id = { type = "string", required = true, wire = "TargetKeyId",
      description = "The key's id or ARN.",
      -- a key's ARN names the same key as its id (AWS answers the id)
      equal = function(a, b)
        local function id(v) return type(v) == "string" and (v:match(":key/(.+)$") or v) or v end
        return id(a) == id(b)
      end,
      set = function(_, c, id, value, ch) c:UpdateAlias({ AliasName = id, TargetKeyId = value }, ch.opts) end },
    arn = { type = "string", computed = true, wire = "AliasArn", description = "The alias's ARN." },
    target_key_arn = { type = "string", computed = true, from_wire = function(_, obj) return key_arn(obj) end,
      description = "The key's ARN." },
  },
  create = { op = "CreateAlias", exists = { "AlreadyExistsException" },
    params = function(ctx, args, params)
      params.AliasName = args.name or iam.name({ name_prefix = args.name_prefix or "alias/" }, ctx.token)
    end },
  read_many = all,
  find = function(ctx, args, token)
    local name = args.name or iam.name({ name_prefix = args.name_prefix or "alias/" }, token)
    return all(ctx, { name })[name]
  end,
  not_found = { "NotFoundException" },
  delete = { op = "DeleteAlias" },
}
