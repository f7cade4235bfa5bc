-- aws_cloudwatch_dashboard: a CloudWatch dashboard, as Terraform's AWS
-- provider has it; declared for aws._resource through aws._put_whole
-- (PutDashboard creates and replaces it). dashboard_body compares as a
-- JSON document. The id is the dashboard name.
local resource = require("luaform.providers.aws._resource")
local whole = require("luaform.providers.aws._put_whole")
local json = require("luaform.providers.aws._json")

return resource.define(whole.declare({
  service = "cloudwatch", description = "A CloudWatch dashboard.",
  identity = "DashboardName", id = "DashboardName",
  fields = {
    dashboard_name = { type = "string", required = true, force_new = true, wire = "DashboardName" },
    dashboard_body = { type = "json", required = true, wire = "DashboardBody", equal = json.document_equal,
      description = "The dashboard's widgets (JSON text or a Lua table)." },
    dashboard_arn = { type = "string", computed = true, wire = "DashboardArn" },
  },
  create = { op = "PutDashboard", idempotent = true,
    result = function(_, args) return { DashboardName = args.dashboard_name } end,
    after = function() end },
  read = { op = "GetDashboard" },
  find = function(ctx, args)
    local ok, out = pcall(ctx:client("cloudwatch").GetDashboard, ctx:client("cloudwatch"),
      { DashboardName = args.dashboard_name })
    return ok and out or nil
  end,
  not_found = { "ResourceNotFound" },
  delete = { op = "DeleteDashboards", params = function(id) return { DashboardNames = { id } } end },
}, function(a) return { DashboardName = a.dashboard_name, DashboardBody = json.text(a.dashboard_body) } end))
