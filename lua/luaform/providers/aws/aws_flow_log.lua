-- aws_flow_log: a VPC or subnet flow log to CloudWatch Logs or S3, as
-- Terraform's AWS provider has it; declared for aws._resource. Flow logs
-- cannot be changed (AWS has no call for it): every argument but tags
-- forces a new one. The create carries the token as ClientToken and the
-- token tag; a refresh asks DescribeFlowLogs for 200 ids per call.
local resource = require("luaform.providers.aws._resource")
local tags = require("luaform.providers.aws._tags")
local common = require("luaform.providers.aws._common")

local function one_of(a)
  for k, t in pairs({ vpc_id = "VPC", subnet_id = "Subnet" }) do
    if a[k] then return a[k], t end
  end
end

return resource.define{
  service = "ec2", description = "A VPC or subnet flow log (to CloudWatch Logs or S3).",
  identity = "FlowLogId", id = "FlowLogId",
  fields = {
    vpc_id = { type = "string", optional = true, force_new = true, input = false, wire = "ResourceId",
      from_wire = function(v) return v and v:match("^vpc%-") and v or nil end },
    subnet_id = { type = "string", optional = true, force_new = true, input = false, wire = "ResourceId",
      from_wire = function(v) return v and v:match("^subnet%-") and v or nil end },
    traffic_type = { type = "string", required = true, force_new = true, wire = "TrafficType",
      description = "ACCEPT, REJECT or ALL." },
    log_destination_type = { type = "string", optional = true, default = "cloud-watch-logs", force_new = true,
      wire = "LogDestinationType" },
    log_destination = { type = "string", optional = true, computed = true, force_new = true, wire = "LogDestination" },
    iam_role_arn = { type = "string", optional = true, force_new = true, wire = "DeliverLogsPermissionArn" },
    log_format = { type = "string", optional = true, computed = true, force_new = true, wire = "LogFormat" },
    max_aggregation_interval = { type = "number", optional = true, default = 600, force_new = true,
      wire = "MaxAggregationInterval" },
    arn = { type = "string", computed = true },
  },
  create = { op = "CreateFlowLogs", token = "ClientToken",
    retry_codes = { "InvalidVpcID.NotFound", "InvalidSubnetID.NotFound" },
    params = function(_, args, p)
      local id, kind = one_of(args)
      p.ResourceIds, p.ResourceType = { id }, kind
    end,
    result = function(out)
      local bad = (out.Unsuccessful or {})[1]
      if bad then error({ code = bad.Error and bad.Error.Code, message = bad.Error and bad.Error.Message }, 0) end
      return { FlowLogId = out.FlowLogIds[1] }
    end,
    after = function() end },
  read_many = { op = "DescribeFlowLogs", filter = "flow-log-id", member = "Filter", result = "FlowLogs" },
  not_found = { "InvalidFlowLogId.NotFound" },
  -- DescribeFlowLogs names no owner: the account is the caller's (the role's, else STS)
  adjust = function(ctx, out, f)
    local account = (f.DeliverLogsPermissionArn or ""):match("^arn:[^:]+:iam::(%d+):")
    out.arn = common.ec2_arn(ctx, account or "", "vpc-flow-log", f.FlowLogId)
  end,
  delete = { op = "DeleteFlowLogs", params = function(id) return { FlowLogIds = { id } } end },
  tags = tags.ec2("vpc-flow-log"),
}
