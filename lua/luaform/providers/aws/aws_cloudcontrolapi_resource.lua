-- aws_cloudcontrolapi_resource: any AWS resource through the Cloud Control
-- API, as Terraform's type of that name (declared for aws._resource; the
-- operations are the type's own functions: Cloud Control is asynchronous
-- and updates by JSON Patch, nothing the builder's calls describe).
--
-- The id is the resource's primary identifier. Create sends CreateResource
-- with the intent journal's token as ClientToken and polls
-- GetResourceRequestStatus to SUCCESS or FAILED (the handler's ErrorCode
-- and StatusMessage become the error). A create left pending by a killed
-- run: if ListResourceRequests shows a create of the type since the
-- intent, CreateResource is sent again with the same ClientToken, which
-- Cloud Control answers with the original request (never a second
-- object), and that request is polled; none means nothing was made.
-- Refresh is GetResource per object (no batch read exists). desired_state
-- in the state is the reported properties projected on what the user set
-- (aws._cloudcontrol_schema), so the service's defaults are no diff;
-- update sends the RFC 6902 patch from the old to the new desired state
-- (aws._json_patch). With schema, a changed create-only property forces a
-- replacement and read-only properties are never diffed or patched.
-- Import takes "TYPE_NAME,IDENTIFIER" and leaves desired_state unset: the
-- next apply patches only the values that differ from what you wrote.
local resource = require("luaform.providers.aws._resource")
local common = require("luaform.providers.aws._common")
local json = require("luaform.providers.aws._json")
local patch = require("luaform.providers.aws._json_patch")
local cfn_schema = require("luaform.providers.aws._cloudcontrol_schema")
local core = require("luaform.core")

-- How long one request is polled for, and the pauses between polls.
local POLL_SECONDS = 3600
local POLL_MAX_PAUSE = 5

local function cc(ctx) return ctx:client("cloudcontrol") end

local function facts(attrs)
  return attrs and type(attrs.schema) == "string" and cfn_schema.facts(attrs.schema) or nil
end

local function decoded(doc)
  local d = json.decode(doc)
  if type(d) ~= "table" then return {} end
  return d
end

-- The request polled until it ends; FAILED is an error naming the handler's
-- code and message (status 400 unless the failed request names an object:
-- then it may exist, and the create's intent is kept for the next run).
local function finish(ctx, c, ev, what)
  local pause = 0.5
  local deadline = core.now() + POLL_SECONDS
  while ev.OperationStatus == "PENDING" or ev.OperationStatus == "IN_PROGRESS"
      or ev.OperationStatus == "CANCEL_IN_PROGRESS" do
    if core.now() >= deadline then
      error(string.format("%s %s: request %s still %s after %d s", what, ev.TypeName or "",
        ev.RequestToken, ev.OperationStatus, POLL_SECONDS), 0)
    end
    ctx:sleep(pause)
    pause = math.min(pause * 2, POLL_MAX_PAUSE)
    ev = c:GetResourceRequestStatus{ RequestToken = ev.RequestToken }.ProgressEvent
  end
  if ev.OperationStatus ~= "SUCCESS" then
    error({ code = ev.ErrorCode or ev.OperationStatus,
      status = not (what == "CreateResource" and ev.Identifier) and 400 or nil,
      message = string.format("%s %s %s (%s): %s", what, ev.TypeName or "", ev.OperationStatus,
        tostring(ev.ErrorCode), tostring(ev.StatusMessage)) }, 0)
  end
  return ev
end

local T

-- Attributes of the object ident of type_name, or nil when it is gone.
local function read(ctx, ident, prior)
  prior = prior or {}
  local c = cc(ctx)
  local ok, out = pcall(c.GetResource, c, { TypeName = prior.type_name, Identifier = ident,
    RoleArn = prior.role_arn, TypeVersionId = prior.type_version_id })
  if not ok then
    if common.code(out) == "ResourceNotFoundException" then return nil end
    error(out, 0)
  end
  local props = out.ResourceDescription.Properties
  local desired
  if prior.desired_state ~= nil then
    desired = core.json_encode(cfn_schema.project(decoded(props), decoded(prior.desired_state), facts(prior)))
    desired = json.keep(prior.desired_state, desired, json.document_equal)
  end
  return common.finish(T, {
    id = out.ResourceDescription.Identifier or ident, type_name = out.TypeName or prior.type_name,
    desired_state = desired, properties = json.text(props), role_arn = prior.role_arn,
    schema = prior.schema, type_version_id = prior.type_version_id,
  })
end

local function create_params(args, token)
  return { TypeName = args.type_name, DesiredState = json.text(args.desired_state),
    RoleArn = args.role_arn, TypeVersionId = args.type_version_id, ClientToken = token }
end

local function create(ctx, args)
  local c = cc(ctx)
  local ev = c:CreateResource(create_params(args, ctx.token)).ProgressEvent
  ev = finish(ctx, c, ev, "CreateResource")
  return common.after_create(ctx, ev.Identifier, function()
    local a = read(ctx, ev.Identifier, args)
    if not a then error(string.format("%s %s is not readable after its create", args.type_name, ev.Identifier), 0) end
    return a
  end)
end

local function update(ctx, id, old, new)
  local f = facts(new)
  local before = old.desired_state ~= nil and decoded(old.desired_state)
    or cfn_schema.project(decoded(old.properties), decoded(new.desired_state), f)
  local ops = patch.diff(before, decoded(new.desired_state), function(p)
    return f ~= nil and cfn_schema.lists(f.read_only, p)
  end)
  if #ops > 0 then
    local c = cc(ctx)
    local ev = c:UpdateResource{ TypeName = new.type_name, Identifier = id, PatchDocument = core.json_encode(ops),
      RoleArn = new.role_arn, TypeVersionId = new.type_version_id, ClientToken = core.uuid() }.ProgressEvent
    finish(ctx, c, ev, "UpdateResource")
  end
  local a = read(ctx, id, new)
  if not a then error(string.format("%s %s is gone after its update", new.type_name, id), 0) end
  return a
end

local function delete(ctx, id, attrs)
  local c = cc(ctx)
  local ok, res = pcall(function()
    local ev = c:DeleteResource{ TypeName = attrs.type_name, Identifier = id, RoleArn = attrs.role_arn,
      TypeVersionId = attrs.type_version_id, ClientToken = core.uuid() }.ProgressEvent
    return finish(ctx, c, ev, "DeleteResource")
  end)
  if not ok and not (common.code(res) == "NotFound" or common.code(res) == "ResourceNotFoundException") then
    error(res, 0)
  end
end

-- Was any create of type_name asked for since the intent (a minute of
-- clock skew allowed)?
local function created_since(c, type_name, since)
  for page in c:paginate("ListResourceRequests", { ResourceRequestStatusFilter = { Operations = { "CREATE" } } }) do
    for _, ev in ipairs(page.ResourceRequestStatusSummaries or {}) do
      if ev.TypeName == type_name and (not since or not ev.EventTime or ev.EventTime >= since - 60) then
        return true
      end
    end
  end
  return false
end

local function recover(ctx, pending)
  if not pending or not pending.token then return nil end
  local args = pending.args or {}
  local c = cc(ctx)
  if not created_since(c, args.type_name, tonumber(pending.since)) then return nil end
  -- a ClientToken Cloud Control has seen answers its first request
  local ev = c:CreateResource(create_params(args, pending.token)).ProgressEvent
  local ok, res = pcall(finish, ctx, c, ev, "CreateResource")
  if not ok then
    if type(res) == "table" and res.status then return nil end   -- failed: nothing was made
    error(res, 0)
  end
  return read(ctx, res.Identifier, args)
end

local function import(ctx, id)
  local type_name, ident = tostring(id):match("^([^,]+),(.+)$")
  if not type_name then
    error(string.format('import id "%s": expected TYPE_NAME,IDENTIFIER (AWS::SQS::Queue,https://...)', id), 0)
  end
  local a = read(ctx, ident, { type_name = type_name })
  if not a then error(string.format("importing aws_cloudcontrolapi_resource: no %s %s", type_name, ident), 0) end
  return a
end

-- With schema (as written now): a changed create-only property needs a
-- new object.
local function create_only_changed(old, new, _, desired)
  local f = facts(desired)
  if not f or type(old) ~= "string" or type(new) ~= "string" then return false end
  return cfn_schema.differs(f.create_only, decoded(old), decoded(new)) ~= nil
end

T = resource.define{
  service = "cloudcontrol",
  description = "Any AWS resource type CloudFormation knows, through the Cloud Control API.",
  fields = {
    type_name = { type = "string", required = true, force_new = true,
      description = "The CloudFormation type name, e.g. AWS::SQS::Queue." },
    desired_state = { type = "json", required = true, equal = json.document_equal, force_new = create_only_changed,
      description = "The resource's properties as a JSON document (json{} may hold references); "
        .. "only what you set is compared." },
    role_arn = { type = "string", optional = true, keep = true,
      description = "An IAM role Cloud Control assumes for the calls." },
    schema = { type = "json", optional = true, keep = true,
      description = "The type's CloudFormation schema: create-only properties then force replacement, "
        .. "read-only ones are never compared, write-only ones never read back." },
    type_version_id = { type = "string", optional = true, keep = true,
      description = "The type version to use (private or third-party types)." },
    properties = { type = "json", computed = true, description = "The properties the service reports, as JSON." },
  },
}

T.read, T.create, T.update, T.delete, T.recover, T.import = read, create, update, delete, recover, import
return T
