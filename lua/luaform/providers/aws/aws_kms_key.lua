-- aws_kms_key: a KMS customer key, as Terraform's AWS provider has it;
-- declared for aws._resource (contract v2).
--
-- The id is the key id. key_usage, customer_master_key_spec and
-- multi_region force a new key; description (UpdateKeyDescription),
-- is_enabled (EnableKey / DisableKey), enable_key_rotation
-- (EnableKeyRotation / DisableKeyRotation; the models' KMS has no
-- rotation period yet) and
-- policy (PutKeyPolicy) change in place. A key pending deletion counts as
-- gone. Delete schedules deletion after deletion_window_in_days (7-30,
-- AWS's minimum wait). CreateKey has no token: a lost create is found by
-- its token tag among the account's keys (ListKeys, ListResourceTags).
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local json = require("luaform.providers.aws._json")

local TAG_FORM = { key = "TagKey", value = "TagValue" }

local function read(ctx, id)
  local c = ctx:client("kms")
  local ok, out = pcall(c.DescribeKey, c, { KeyId = id })
  if not ok then
    if type(out) == "table" and out.code == "NotFoundException" then return nil end
    error(out, 0)
  end
  return out.KeyMetadata
end

local function rotation(_, c, id, _, ch)
  if ch.new.enable_key_rotation then
    c:EnableKeyRotation({ KeyId = id }, ch.opts)
  else
    c:DisableKeyRotation({ KeyId = id }, ch.opts)
  end
end

return resource.define{
  service = "kms", description = "A KMS customer key.",
  identity = "KeyId", id = "KeyId",
  fields = {
    description = { type = "string", optional = true, default = "", wire = "Description",
      description = "The key's description.",
      set = function(_, c, id, value, ch) c:UpdateKeyDescription({ KeyId = id, Description = value or "" }, ch.opts) end },
    key_usage = { type = "string", optional = true, default = "ENCRYPT_DECRYPT", force_new = true, wire = "KeyUsage",
      description = "ENCRYPT_DECRYPT, SIGN_VERIFY or GENERATE_VERIFY_MAC." },
    customer_master_key_spec = { type = "string", optional = true, default = "SYMMETRIC_DEFAULT", force_new = true,
      wire = "KeySpec", input = "KeySpec", description = "The key's spec (SYMMETRIC_DEFAULT, RSA_2048, ...)." },
    multi_region = { type = "bool", optional = true, default = false, force_new = true, wire = "MultiRegion",
      description = "A multi-Region primary key." },
    policy = { type = "json", optional = true, computed = true, equal = json.policy_equal, input = "Policy",
      description = "The key policy (default: the account may use the key).",
      set = function(_, c, id, value, ch)
        if value ~= nil then c:PutKeyPolicy({ KeyId = id, PolicyName = "default", Policy = json.text(value) }, ch.opts) end
      end },
    is_enabled = { type = "bool", optional = true, default = true, wire = "Enabled", input = false,
      description = "Whether the key can be used.",
      set = function(_, c, id, value, ch)
        if value then c:EnableKey({ KeyId = id }, ch.opts) else c:DisableKey({ KeyId = id }, ch.opts) end
      end },
    enable_key_rotation = { type = "bool", optional = true, default = false, input = false, set = rotation,
      description = "Whether KMS rotates the key material." },
    deletion_window_in_days = { type = "number", optional = true, default = 30, keep = true,
      description = "Days before a deleted key is gone (7-30)." },
    arn = { type = "string", computed = true, wire = "Arn", description = "The key's ARN." },
    key_id = { type = "string", computed = true, wire = "KeyId", description = "The key's id (also the id)." },
  },
  create = { op = "CreateKey", result = "KeyMetadata" },
  read = read,
  read_extra = function(_, c, obj, prior)
    local policy = c:GetKeyPolicy{ KeyId = obj.KeyId, PolicyName = "default" }.Policy
    return { policy = json.keep(prior.policy, policy, json.policy_equal),
      enable_key_rotation = c:GetKeyRotationStatus{ KeyId = obj.KeyId }.KeyRotationEnabled == true }
  end,
  gone = function(obj) return obj.KeyState == "PendingDeletion" or obj.KeyState == "PendingReplicaDeletion" end,
  find = function(ctx, _, token)
    local c = ctx:client("kms")
    for _, k in ipairs(c:collect("ListKeys", {})) do
      local ok, out = pcall(c.ListResourceTags, c, { KeyId = k.KeyId })
      for _, t in ipairs(ok and out.Tags or {}) do
        if t.TagKey == tags.TOKEN_TAG and t.TagValue == token then
          local obj = read(ctx, k.KeyId)
          if obj and obj.KeyState ~= "PendingDeletion" then return obj end
        end
      end
    end
  end,
  not_found = { "NotFoundException" },
  not_visible = { "NotFoundException" },
  delete = { op = "ScheduleKeyDeletion", params = function(id, attrs)
    return { KeyId = id, PendingWindowInDays = attrs.deletion_window_in_days or 30 }
  end },
  tags = tags.api{ create = "Tags", form = TAG_FORM, by = "id", param = "KeyId",
    read = { op = "ListResourceTags", result = "Tags" },
    tag = { op = "TagResource", member = "Tags" }, untag = { op = "UntagResource", member = "TagKeys" } },
}
