"""EC2 flow logs (a mixin of the EC2 service): flow logs of VPCs and subnets delivered to
CloudWatch Logs (which needs DeliverLogsPermissionArn and a log group name) or to S3 (a
bucket ARN, no role), as AWS validates them. Traffic type ACCEPT, REJECT or ALL; aggregation
interval 60 or 600 seconds. Flow logs cannot be modified: only tags change.
A repeated ClientToken with the same parameters answers the flow logs it first made (other
parameters: IdempotentParameterMismatch), as AWS does.
"""

from ..core import as_int, iso_time, new_id
from ._ec2_common import err, id_list, paginate, params_digest, render_tags, required, tag_specs

RESOURCE_KINDS = {"VPC": "vpc", "Subnet": "subnet"}
DEFAULT_FORMAT = ("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} "
                  "${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} "
                  "${log-status}")


class FlowLogsMixin:

    def render_flow_log(self, ctx, f):
        out = {"flowLogId": f["id"], "creationTime": iso_time(f["created"]),
               "deliverLogsStatus": "SUCCESS", "flowLogStatus": "ACTIVE",
               "resourceId": f["resource"], "trafficType": f["traffic"],
               "logDestinationType": f["dest_type"], "logFormat": f["format"],
               "maxAggregationInterval": f["interval"], "tagSet": render_tags(f["tags"])}
        if f.get("group"):
            out["logGroupName"] = f["group"]
            out["logDestination"] = "arn:aws:logs:%s:%s:log-group:%s" % (
                ctx.region, ctx.account_id, f["group"])
        else:
            out["logDestination"] = f["dest"]
        if f.get("role"):
            out["deliverLogsPermissionArn"] = f["role"]
        return out

    def CreateFlowLogs(self, ctx, params):
        token = params.get("ClientToken")
        key = "CreateFlowLogs:%s" % token
        if token and key in self.region(ctx)["tokens"]:
            prior = self.region(ctx)["tokens"][key]
            if prior["digest"] != params_digest(params):
                raise err("IdempotentParameterMismatch", "The client token you have provided is "
                          "associated with a resource that was created with different parameters.")
            return {"flowLogIdSet": prior["ids"], "unsuccessful": [], "clientToken": token}
        rtype = required(params, "ResourceType")
        kind = RESOURCE_KINDS.get(rtype)
        if kind is None:
            raise err("InvalidParameterValue", "Invalid value for parameter ResourceType: %s"
                      % rtype)
        ids = id_list(params, "ResourceId")
        if not ids:
            raise err("MissingParameter", "The request must contain the parameter ResourceId")
        traffic = params.get("TrafficType") or "ALL"
        if traffic not in ("ACCEPT", "REJECT", "ALL"):
            raise err("InvalidParameterValue", "Invalid value for parameter TrafficType: %s"
                      % traffic)
        dest_type = params.get("LogDestinationType") or "cloud-watch-logs"
        group, dest, role = params.get("LogGroupName"), params.get("LogDestination"), \
            params.get("DeliverLogsPermissionArn")
        if dest_type == "cloud-watch-logs":
            if not role:
                raise err("InvalidParameter", "DeliverLogsPermissionArn is required when "
                          "delivering flow logs to CloudWatch Logs")
            if not group and not dest:
                raise err("InvalidParameter", "LogGroupName or LogDestination must be "
                          "specified")
            if not group:
                group = dest.split(":log-group:", 1)[-1]
        elif dest_type == "s3":
            if not dest or not dest.startswith("arn:aws:s3:::"):
                raise err("InvalidParameter", "LogDestination must be an S3 bucket ARN")
            if role or group:
                raise err("InvalidParameter", "DeliverLogsPermissionArn and LogGroupName "
                          "cannot be used with an S3 destination")
        else:
            raise err("InvalidParameterValue", "Invalid value for parameter "
                      "LogDestinationType: %s" % dest_type)
        interval = as_int(params.get("MaxAggregationInterval", 600), "MaxAggregationInterval")
        if interval not in (60, 600):
            raise err("InvalidParameterValue", "MaxAggregationInterval must be 60 or 600")
        resources = [self.get(ctx, kind, i)["id"] for i in ids]
        tags = tag_specs(params, "fl")
        made = []
        for res in resources:
            f = {"id": new_id("fl"), "resource": res, "traffic": traffic,
                 "dest_type": dest_type, "group": group, "dest": dest, "role": role,
                 "format": params.get("LogFormat") or DEFAULT_FORMAT, "interval": interval,
                 "tags": dict(tags), "created": ctx.now()}
            self.region(ctx)["fl"][f["id"]] = f
            made.append(f["id"])
        out = {"flowLogIdSet": made, "unsuccessful": []}
        if token:
            self.region(ctx)["tokens"][key] = {"digest": params_digest(params), "ids": made}
            out["clientToken"] = token
        return out

    def DescribeFlowLogs(self, ctx, params):
        objs, by_ids = self.select(ctx, "fl", params, "FlowLogId", {
            "flow-log-id": lambda f: f["id"], "resource-id": lambda f: f["resource"],
            "traffic-type": lambda f: f["traffic"], "log-group-name": lambda f: f.get("group"),
            "log-destination-type": lambda f: f["dest_type"],
            "deliver-log-status": lambda f: "SUCCESS"})
        page, nxt = paginate(objs, params, 1, 1000, False)
        return {"flowLogSet": [self.render_flow_log(ctx, f) for f in page], "nextToken": nxt}

    def DeleteFlowLogs(self, ctx, params):
        ids = id_list(params, "FlowLogId")
        if not ids:
            raise err("MissingParameter", "The request must contain the parameter FlowLogId")
        failed = []
        for i in ids:
            if self.region(ctx)["fl"].pop(i, None) is None:
                failed.append({"error": {"code": "InvalidFlowLogId.NotFound",
                                         "message": "Flow Log %s does not exist" % i},
                               "resourceId": i})
        return {"unsuccessful": failed}
