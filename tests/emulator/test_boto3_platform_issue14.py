"""boto3 against a spawned emulator for the platform services of issue 14 (issue 13's are in
test_boto3_platform.py): CloudWatch alarms and dashboards, EventBridge rules and targets, S3
bucket subresources and versioned objects, VPC endpoints, network ACLs, flow logs, Cloud Map,
Logs metric filters, ECR policies, ECS capacity providers, Application Auto Scaling scheduled
actions and step scaling. Every raw response is checked against botocore's model as in
test_boto3 (same server set-up)."""

import json
import unittest

import test_boto3 as b3

REGION = b3.REGION
ACCOUNT = "123456789012"
TOPIC = "arn:aws:sns:%s:%s:alerts" % (REGION, ACCOUNT)
ROLE = "arn:aws:iam::%s:role/events" % ACCOUNT


@unittest.skipIf(b3.boto3 is None, "boto3 is not installed (Debian package python3-boto3)")
class PlatformBoto3Test(b3.Boto3Case, unittest.TestCase):
    # the server, session and model check of test_boto3 (Boto3Case), without its tests

    # ------------------------------------------------------------ CloudWatch

    def test_cloudwatch_alarms(self):
        cw = self.client("cloudwatch")
        cw.put_metric_alarm(
            AlarmName="cpu", MetricName="CPUUtilization", Namespace="AWS/ECS",
            Statistic="Average", Period=60, EvaluationPeriods=2, Threshold=80,
            ComparisonOperator="GreaterThanThreshold", AlarmActions=[TOPIC],
            Dimensions=[{"Name": "ClusterName", "Value": "c"}], Tags=[{"Key": "a", "Value": "b"}])
        cw.put_metric_alarm(
            AlarmName="errors", EvaluationPeriods=1, Threshold=5, OKActions=[TOPIC],
            ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
            Metrics=[{"Id": "e1", "Expression": "m1 * 2", "Label": "double"},
                     {"Id": "m1", "ReturnData": False, "MetricStat": {
                         "Metric": {"Namespace": "AWS/ApplicationELB",
                                    "MetricName": "HTTPCode_Target_5XX_Count",
                                    "Dimensions": [{"Name": "LoadBalancer", "Value": "app/x"}]},
                         "Period": 60, "Stat": "Sum"}}])
        first = cw.describe_alarms(MaxRecords=1)
        self.assertEqual([a["AlarmName"] for a in first["MetricAlarms"]], ["cpu"])
        rest = cw.describe_alarms(MaxRecords=1, NextToken=first["NextToken"])
        self.assertNotIn("NextToken", rest)
        math = rest["MetricAlarms"][0]
        self.assertEqual((math["AlarmName"], math["TreatMissingData"], math["OKActions"]),
                         ("errors", "notBreaching", [TOPIC]))
        self.assertEqual([m["Id"] for m in math["Metrics"]], ["e1", "m1"])
        self.assertEqual(math["Metrics"][1]["MetricStat"]["Stat"], "Sum")
        self.assertFalse(math["Metrics"][1]["ReturnData"])
        cpu = first["MetricAlarms"][0]
        self.assertEqual((cpu["Threshold"], cpu["StateValue"], cpu["Dimensions"]),
                         (80.0, "INSUFFICIENT_DATA", [{"Name": "ClusterName", "Value": "c"}]))
        self.assertEqual(cw.list_tags_for_resource(ResourceARN=cpu["AlarmArn"])["Tags"],
                         [{"Key": "a", "Value": "b"}])
        # an update replaces the alarm whole and keeps tags
        cw.put_metric_alarm(
            AlarmName="cpu", MetricName="CPUUtilization", Namespace="AWS/ECS",
            Statistic="Maximum", Period=300, EvaluationPeriods=3, Threshold=90,
            ComparisonOperator="GreaterThanOrEqualToThreshold", Tags=[{"Key": "x", "Value": "y"}])
        cpu = cw.describe_alarms(AlarmNames=["cpu"])["MetricAlarms"][0]
        self.assertEqual((cpu["Statistic"], cpu["Period"], cpu["AlarmActions"]),
                         ("Maximum", 300, []))
        self.assertEqual(cw.list_tags_for_resource(ResourceARN=cpu["AlarmArn"])["Tags"],
                         [{"Key": "a", "Value": "b"}])
        self.assertCode("InvalidParameterCombination", cw.put_metric_alarm, AlarmName="bad",
                        MetricName="x", Namespace="y", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=1,
                        ComparisonOperator="GreaterThanThreshold",
                        Metrics=[{"Id": "e1", "Expression": "1"}])
        self.assertCode("InvalidParameterValue", cw.put_metric_alarm, AlarmName="bad",
                        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
                        Metrics=[{"Id": "e1", "Expression": "1", "ReturnData": False}])
        self.assertCode("InvalidParameterValue", cw.put_metric_alarm, AlarmName="bad",
                        MetricName="x", Namespace="y", Statistic="Sum", Period=45,
                        EvaluationPeriods=1, Threshold=1,
                        ComparisonOperator="GreaterThanThreshold")
        self.assertCode("ResourceNotFound", cw.delete_alarms, AlarmNames=["cpu", "nope"])
        cw.delete_alarms(AlarmNames=["cpu", "errors"])
        self.assertEqual(cw.describe_alarms()["MetricAlarms"], [])

    def test_cloudwatch_dashboards(self):
        cw = self.client("cloudwatch")
        body = json.dumps({"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6,
                                        "height": 3, "properties": {"markdown": "hi"}}]})
        cw.put_dashboard(DashboardName="ops", DashboardBody=body)
        got = cw.get_dashboard(DashboardName="ops")
        self.assertEqual(json.loads(got["DashboardBody"]), json.loads(body))
        self.assertEqual(got["DashboardArn"], "arn:aws:cloudwatch::%s:dashboard/ops" % ACCOUNT)
        self.assertEqual([d["DashboardName"] for d in cw.list_dashboards()["DashboardEntries"]],
                         ["ops"])
        self.assertCode("InvalidParameterInput", cw.put_dashboard, DashboardName="ops",
                        DashboardBody='{"no": "widgets"}')
        cw.delete_dashboards(DashboardNames=["ops"])
        self.assertCode("ResourceNotFound", cw.get_dashboard, DashboardName="ops")

    # ------------------------------------------------------------ EventBridge

    def test_eventbridge_rules_and_targets(self):
        ev = self.client("events")
        arn = ev.put_rule(Name="nightly", ScheduleExpression="cron(0 3 * * ? *)",
                          Tags=[{"Key": "team", "Value": "ops"}])["RuleArn"]
        self.assertEqual(arn, "arn:aws:events:%s:%s:rule/nightly" % (REGION, ACCOUNT))
        ev.put_rule(Name="deploys", EventPattern='{"source": ["aws.ecs"]}', State="DISABLED",
                    Description="ecs events")
        rule = ev.describe_rule(Name="deploys")
        self.assertEqual((rule["State"], json.loads(rule["EventPattern"])),
                         ("DISABLED", {"source": ["aws.ecs"]}))
        page = ev.list_rules(Limit=1)
        self.assertEqual([r["Name"] for r in page["Rules"]], ["deploys"])
        self.assertEqual([r["Name"] for r in ev.list_rules(
            Limit=1, NextToken=page["NextToken"])["Rules"]], ["nightly"])
        ecs_target = {"Id": "task", "Arn": "arn:aws:ecs:%s:%s:cluster/c" % (REGION, ACCOUNT),
                      "RoleArn": ROLE, "EcsParameters": {
                          "TaskDefinitionArn": "arn:aws:ecs:%s:%s:task-definition/job:1"
                                               % (REGION, ACCOUNT),
                          "LaunchType": "FARGATE", "TaskCount": 1,
                          "NetworkConfiguration": {"awsvpcConfiguration": {
                              "Subnets": ["subnet-1"], "AssignPublicIp": "DISABLED"}}}}
        no_network = json.loads(json.dumps(ecs_target))
        no_network["Id"] = "bad"
        del no_network["EcsParameters"]["NetworkConfiguration"]
        out = ev.put_targets(Rule="nightly", Targets=[
            ecs_target, no_network,
            {"Id": "sns", "Arn": TOPIC, "Input": '{"job": "nightly"}'}])
        self.assertEqual(out["FailedEntryCount"], 1)
        self.assertEqual(out["FailedEntries"][0]["TargetId"], "bad")
        targets = ev.list_targets_by_rule(Rule="nightly")["Targets"]
        self.assertEqual([t["Id"] for t in targets], ["sns", "task"])
        self.assertEqual(targets[1]["EcsParameters"]["NetworkConfiguration"][
            "awsvpcConfiguration"]["Subnets"], ["subnet-1"])
        self.assertEqual(ev.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "team", "Value": "ops"}])
        self.assertCode("ValidationException", ev.delete_rule, Name="nightly")
        self.assertCode("InvalidEventPatternException", ev.put_rule, Name="x",
                        EventPattern="[1]")
        self.assertCode("ValidationException", ev.put_rule, Name="x",
                        ScheduleExpression="rate(1 hours)")
        self.assertCode("ValidationException", ev.put_rule, Name="x")
        ev.remove_targets(Rule="nightly", Ids=["task", "sns"])
        ev.delete_rule(Name="nightly")
        ev.delete_rule(Name="nightly")
        self.assertCode("ResourceNotFoundException", ev.describe_rule, Name="nightly")
        self.assertCode("ResourceNotFoundException", ev.put_targets, Rule="nightly",
                        Targets=[{"Id": "sns", "Arn": TOPIC}])

    # ------------------------------------------------------------ S3

    def test_s3_bucket_configuration(self):
        s3 = self.client("s3")
        b = "cfg-bucket"
        s3.create_bucket(Bucket=b, CreateBucketConfiguration={"LocationConstraint": REGION})
        self.assertNotIn("Status", s3.get_bucket_versioning(Bucket=b))
        s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.assertEqual(s3.get_bucket_versioning(Bucket=b)["Status"], "Enabled")
        default = s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]
        self.assertEqual(default["Rules"][0]["ApplyServerSideEncryptionByDefault"],
                         {"SSEAlgorithm": "AES256"})
        s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                   "KMSMasterKeyID": "alias/app"},
            "BucketKeyEnabled": True}]})
        rule = s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"][
            "Rules"][0]
        self.assertEqual((rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"],
                          rule["BucketKeyEnabled"]), ("alias/app", True))
        self.assertCode("InvalidArgument", s3.put_bucket_encryption, Bucket=b,
                        ServerSideEncryptionConfiguration={"Rules": [{
                            "ApplyServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "AES256", "KMSMasterKeyID": "alias/app"}}]})
        self.assertCode("NoSuchPublicAccessBlockConfiguration", s3.get_public_access_block,
                        Bucket=b)
        block = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                 "RestrictPublicBuckets": False}
        s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration=block)
        self.assertEqual(s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"],
                         block)
        public = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::%s/*" % b}]})
        self.assertCode("AccessDenied", s3.put_bucket_policy, Bucket=b, Policy=public)
        tls = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": "arn:aws:s3:::%s/*" % b,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})
        s3.put_bucket_policy(Bucket=b, Policy=tls)
        self.assertEqual(json.loads(s3.get_bucket_policy(Bucket=b)["Policy"]), json.loads(tls))
        self.assertCode("MalformedPolicy", s3.put_bucket_policy, Bucket=b, Policy="nope")
        self.assertCode("NoSuchLifecycleConfiguration", s3.get_bucket_lifecycle_configuration,
                        Bucket=b)
        rules = [{"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"},
                  "Expiration": {"Days": 30}, "NoncurrentVersionExpiration": {
                      "NoncurrentDays": 7}},
                 {"ID": "archive", "Status": "Disabled", "Filter": {},
                  "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}]
        s3.put_bucket_lifecycle_configuration(Bucket=b, LifecycleConfiguration={"Rules": rules})
        got = s3.get_bucket_lifecycle_configuration(Bucket=b)["Rules"]
        self.assertEqual([(r["ID"], r["Status"]) for r in got],
                         [("logs", "Enabled"), ("archive", "Disabled")])
        self.assertEqual((got[0]["Expiration"], got[1]["Transitions"]),
                         ({"Days": 30}, [{"Days": 30, "StorageClass": "GLACIER"}]))
        self.assertCode("InvalidRequest", s3.put_bucket_lifecycle_configuration, Bucket=b,
                        LifecycleConfiguration={"Rules": [{"ID": "x", "Status": "Enabled",
                                                           "Filter": {}}]})
        self.assertEqual(s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"],
                         {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
        s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={"Rules": [
            {"ObjectOwnership": "BucketOwnerPreferred"}]})
        self.assertEqual(s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"][
            "Rules"][0]["ObjectOwnership"], "BucketOwnerPreferred")
        s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "b", "Value": "2"},
                                                             {"Key": "a", "Value": "1"}]})
        self.assertEqual(s3.get_bucket_tagging(Bucket=b)["TagSet"],
                         [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        for delete, get, code in (
                (s3.delete_bucket_policy, s3.get_bucket_policy, "NoSuchBucketPolicy"),
                (s3.delete_bucket_lifecycle, s3.get_bucket_lifecycle_configuration,
                 "NoSuchLifecycleConfiguration"),
                (s3.delete_public_access_block, s3.get_public_access_block,
                 "NoSuchPublicAccessBlockConfiguration"),
                (s3.delete_bucket_ownership_controls, s3.get_bucket_ownership_controls,
                 "OwnershipControlsNotFoundError"),
                (s3.delete_bucket_tagging, s3.get_bucket_tagging, "NoSuchTagSet")):
            delete(Bucket=b)
            self.assertCode(code, get, Bucket=b)
        s3.delete_bucket_encryption(Bucket=b)
        self.assertEqual(s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"][
            "Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        s3.delete_bucket(Bucket=b)

    def test_s3_versions_and_emptying(self):
        s3 = self.client("s3")
        b = "versioned-bucket"
        s3.create_bucket(Bucket=b, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        v1 = s3.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
        v2 = s3.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
        self.assertNotEqual(v1, v2)
        self.assertEqual(s3.head_object(Bucket=b, Key="k")["VersionId"], v2)
        marker = s3.delete_object(Bucket=b, Key="k")
        self.assertTrue(marker["DeleteMarker"])
        self.assertCode("NoSuchKey", s3.get_object, Bucket=b, Key="k")
        listed = s3.list_object_versions(Bucket=b)
        self.assertEqual(sorted(v["VersionId"] for v in listed["Versions"]), sorted([v1, v2]))
        self.assertEqual([(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]],
                         [(marker["VersionId"], True)])
        self.assertCode("BucketNotEmpty", s3.delete_bucket, Bucket=b)
        first = s3.list_object_versions(Bucket=b, MaxKeys=2)
        self.assertTrue(first["IsTruncated"])
        rest = s3.list_object_versions(Bucket=b, KeyMarker=first["NextKeyMarker"],
                                       VersionIdMarker=first["NextVersionIdMarker"])
        self.assertEqual(len(first.get("Versions", []) + first.get("DeleteMarkers", []))
                         + len(rest.get("Versions", []) + rest.get("DeleteMarkers", [])), 3)
        objects = [{"Key": "k", "VersionId": x["VersionId"]}
                   for x in listed["Versions"] + listed["DeleteMarkers"]]
        out = s3.delete_objects(Bucket=b, Delete={"Objects": objects})
        self.assertEqual(len(out["Deleted"]), 3)
        self.assertEqual(s3.list_object_versions(Bucket=b).get("Versions", []), [])
        s3.delete_bucket(Bucket=b)

    # ------------------------------------------------------------ EC2

    def test_vpc_endpoints_acls_flow_logs(self):
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        sub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24",
                                AvailabilityZone=REGION + "a")["Subnet"]["SubnetId"]
        sub2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.2.0/24",
                                 AvailabilityZone=REGION + "a")["Subnet"]["SubnetId"]
        rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        gw = ec2.create_vpc_endpoint(
            VpcId=vpc, ServiceName="com.amazonaws.%s.s3" % REGION, RouteTableIds=[rtb],
            TagSpecifications=[{"ResourceType": "vpc-endpoint",
                                "Tags": [{"Key": "Name", "Value": "s3"}]}])["VpcEndpoint"]
        self.assertEqual((gw["VpcEndpointType"], gw["State"], gw["RouteTableIds"]),
                         ("Gateway", "available", [rtb]))
        ecr = "com.amazonaws.%s.ecr.api" % REGION
        self.assertCode("InvalidParameter", ec2.create_vpc_endpoint, VpcId=vpc,
                        VpcEndpointType="Interface", ServiceName=ecr, SubnetIds=[sub])
        self.assertCode("InvalidParameter", ec2.create_vpc_endpoint, VpcId=vpc,
                        VpcEndpointType="Gateway", ServiceName=ecr)
        self.assertCode("InvalidServiceName", ec2.create_vpc_endpoint, VpcId=vpc,
                        ServiceName="com.amazonaws.%s.nope" % REGION)
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        self.assertCode("DuplicateSubnetsInSameZone", ec2.create_vpc_endpoint, VpcId=vpc,
                        VpcEndpointType="Interface", ServiceName=ecr, SubnetIds=[sub, sub2])
        ie = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Interface", ServiceName=ecr,
                                     SubnetIds=[sub], PrivateDnsEnabled=True)["VpcEndpoint"]
        self.assertEqual((ie["State"], len(ie["NetworkInterfaceIds"]), ie["Groups"][0][
            "GroupName"]), ("pending", 1, "default"))
        self.advance(1)
        ec2.modify_vpc_endpoint(VpcEndpointId=ie["VpcEndpointId"], PrivateDnsEnabled=False)
        got = ec2.describe_vpc_endpoints(VpcEndpointIds=[ie["VpcEndpointId"]])["VpcEndpoints"][0]
        self.assertEqual((got["State"], got["PrivateDnsEnabled"]), ("available", False))
        self.assertCode("DependencyViolation", ec2.delete_subnet, SubnetId=sub)

        acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                     RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                                     PortRange={"From": 443, "To": 443})
        self.assertCode("NetworkAclEntryAlreadyExists", ec2.create_network_acl_entry,
                        NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="deny",
                        Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 1, "To": 2})
        self.assertCode("MissingParameter", ec2.create_network_acl_entry, NetworkAclId=acl,
                        RuleNumber=101, Protocol="6", RuleAction="deny", Egress=False,
                        CidrBlock="0.0.0.0/0")
        ec2.replace_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                      RuleAction="deny", Egress=False, CidrBlock="10.0.0.0/8",
                                      PortRange={"From": 80, "To": 80})
        acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
            "NetworkAcls"]
        default = next(a for a in acls if a["IsDefault"])
        mine = next(a for a in acls if a["NetworkAclId"] == acl)
        self.assertEqual(sorted(x["SubnetId"] for x in default["Associations"]),
                         sorted([sub, sub2]))
        entry = next(e for e in mine["Entries"] if e["RuleNumber"] == 100)
        self.assertEqual((entry["RuleAction"], entry["CidrBlock"], entry["PortRange"]),
                         ("deny", "10.0.0.0/8", {"From": 80, "To": 80}))
        assoc = next(x["NetworkAclAssociationId"] for x in default["Associations"]
                     if x["SubnetId"] == sub2)
        new = ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)[
            "NewAssociationId"]
        self.assertCode("DependencyViolation", ec2.delete_network_acl, NetworkAclId=acl)
        self.assertCode("InvalidParameterValue", ec2.delete_network_acl,
                        NetworkAclId=default["NetworkAclId"])

        self.assertCode("InvalidParameter", ec2.create_flow_logs, ResourceIds=[vpc],
                        ResourceType="VPC", TrafficType="ALL", LogGroupName="/vpc/flow")
        fl = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="REJECT",
                                  LogGroupName="/vpc/flow", DeliverLogsPermissionArn=ROLE,
                                  ClientToken="fl-1")["FlowLogIds"]
        self.assertEqual(ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC",
                                              TrafficType="REJECT", LogGroupName="/vpc/flow",
                                              DeliverLogsPermissionArn=ROLE,
                                              ClientToken="fl-1")["FlowLogIds"], fl)
        self.assertCode("IdempotentParameterMismatch", ec2.create_flow_logs, ResourceIds=[vpc],
                        ResourceType="VPC", TrafficType="ALL", LogGroupName="/vpc/flow",
                        DeliverLogsPermissionArn=ROLE, ClientToken="fl-1")
        logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])[
            "FlowLogs"]
        self.assertEqual([(f["FlowLogId"], f["TrafficType"], f["LogGroupName"]) for f in logs],
                         [(fl[0], "REJECT", "/vpc/flow")])
        ec2.delete_flow_logs(FlowLogIds=fl)
        self.assertEqual(ec2.describe_flow_logs()["FlowLogs"], [])

        self.assertCode("DependencyViolation", ec2.delete_vpc, VpcId=vpc)
        out = ec2.delete_vpc_endpoints(VpcEndpointIds=[gw["VpcEndpointId"],
                                                       ie["VpcEndpointId"],
                                                       "vpce-0123456789abcdef0"])
        self.assertEqual([u["ResourceId"] for u in out["Unsuccessful"]],
                         ["vpce-0123456789abcdef0"])
        ec2.replace_network_acl_association(AssociationId=new,
                                            NetworkAclId=default["NetworkAclId"])
        ec2.delete_network_acl(NetworkAclId=acl)
        for s in (sub, sub2):
            ec2.delete_subnet(SubnetId=s)
        ec2.delete_route_table(RouteTableId=rtb)
        ec2.delete_vpc(VpcId=vpc)

    def test_security_group_rules_by_id(self):
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
        sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
        out = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "https"}]}],
            TagSpecifications=[{"ResourceType": "security-group-rule",
                                "Tags": [{"Key": "Name", "Value": "https"}]}])
        rule = out["SecurityGroupRules"][0]
        self.assertEqual((rule["CidrIpv4"], rule["Tags"]), ("10.0.0.0/8",
                                                           [{"Key": "Name", "Value": "https"}]))
        ec2.modify_security_group_rules(GroupId=sg, SecurityGroupRules=[{
            "SecurityGroupRuleId": rule["SecurityGroupRuleId"],
            "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443,
                                  "CidrIpv4": "10.1.0.0/16", "Description": "alt"}}])
        got = ec2.describe_security_group_rules(
            SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])["SecurityGroupRules"][0]
        self.assertEqual((got["FromPort"], got["CidrIpv4"], got["Description"], got["Tags"]),
                         (8443, "10.1.0.0/16", "alt", [{"Key": "Name", "Value": "https"}]))
        self.assertCode("InvalidSecurityGroupRuleId.NotFound", ec2.modify_security_group_rules,
                        GroupId=sg, SecurityGroupRules=[{
                            "SecurityGroupRuleId": "sgr-0123456789abcdef0",
                            "SecurityGroupRule": {"IpProtocol": "-1", "CidrIpv4": "0.0.0.0/0"}}])
        ec2.revoke_security_group_ingress(GroupId=sg,
                                          SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])
        ec2.delete_security_group(GroupId=sg)
        ec2.delete_vpc(VpcId=vpc)

    # ------------------------------------------------------------ Cloud Map

    def test_cloud_map(self):
        ec2, sd = self.client("ec2"), self.client("servicediscovery")
        vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
        op = sd.create_private_dns_namespace(Name="internal.local", Vpc=vpc,
                                             CreatorRequestId="r1",
                                             Tags=[{"Key": "a", "Value": "b"}])["OperationId"]
        self.assertEqual(sd.get_operation(OperationId=op)["Operation"]["Status"], "SUBMITTED")
        self.assertEqual(sd.list_namespaces()["Namespaces"], [])
        self.assertEqual(sd.create_private_dns_namespace(
            Name="internal.local", Vpc=vpc, CreatorRequestId="r1")["OperationId"], op)
        self.assertCode("NamespaceAlreadyExists", sd.create_private_dns_namespace,
                        Name="internal.local", Vpc=vpc, CreatorRequestId="r2")
        self.advance(1)
        done = sd.get_operation(OperationId=op)["Operation"]
        self.assertEqual(done["Status"], "SUCCESS")
        ns = done["Targets"]["NAMESPACE"]
        got = sd.get_namespace(Id=ns)["Namespace"]
        self.assertEqual((got["Name"], got["Type"]), ("internal.local", "DNS_PRIVATE"))
        self.assertEqual(sd.list_tags_for_resource(ResourceARN=got["Arn"])["Tags"],
                         [{"Key": "a", "Value": "b"}])
        svc = sd.create_service(Name="api", NamespaceId=ns, DnsConfig={
            "RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 10}]},
            HealthCheckCustomConfig={"FailureThreshold": 1})["Service"]
        self.assertCode("ServiceAlreadyExists", sd.create_service, Name="api", NamespaceId=ns,
                        DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 10}]})
        sd.update_service(Id=svc["Id"], Service={"Description": "d", "DnsConfig": {
            "DnsRecords": [{"Type": "A", "TTL": 30}]}})
        got = sd.get_service(Id=svc["Id"])["Service"]
        self.assertEqual((got["Description"], got["DnsConfig"]["DnsRecords"]),
                         ("d", [{"Type": "A", "TTL": 30}]))
        self.assertCode("InvalidInput", sd.update_service, Id=svc["Id"], Service={
            "DnsConfig": {"DnsRecords": [{"Type": "SRV", "TTL": 30}]}})
        self.assertEqual([s["Id"] for s in sd.list_services(Filters=[
            {"Name": "NAMESPACE_ID", "Values": [ns]}])["Services"]], [svc["Id"]])
        self.assertCode("ResourceInUse", sd.delete_namespace, Id=ns)
        sd.delete_service(Id=svc["Id"])
        self.assertCode("ServiceNotFound", sd.get_service, Id=svc["Id"])
        sd.delete_namespace(Id=ns)
        self.advance(1)
        self.assertCode("NamespaceNotFound", sd.get_namespace, Id=ns)

    # ------------------------------------------------------------ smaller additions

    def test_logs_metric_filters(self):
        logs = self.client("logs")
        logs.create_log_group(logGroupName="/mf/app")
        transform = {"metricName": "Errors", "metricNamespace": "App", "metricValue": "1",
                     "defaultValue": 0.0}
        logs.put_metric_filter(logGroupName="/mf/app", filterName="errors",
                               filterPattern="ERROR", metricTransformations=[transform])
        got = logs.describe_metric_filters(logGroupName="/mf/app")["metricFilters"]
        self.assertEqual([(f["filterName"], f["filterPattern"]) for f in got],
                         [("errors", "ERROR")])
        self.assertEqual(got[0]["metricTransformations"][0]["metricName"], "Errors")
        group = logs.describe_log_groups(logGroupNamePrefix="/mf/")["logGroups"][0]
        self.assertEqual(group["metricFilterCount"], 1)
        logs.delete_metric_filter(logGroupName="/mf/app", filterName="errors")
        self.assertCode("ResourceNotFoundException", logs.delete_metric_filter,
                        logGroupName="/mf/app", filterName="errors")

    def test_ecr_policies(self):
        ecr = self.client("ecr")
        ecr.create_repository(repositoryName="pol")
        self.assertCode("LifecyclePolicyNotFoundException", ecr.get_lifecycle_policy,
                        repositoryName="pol")
        policy = json.dumps({"rules": [{"rulePriority": 1, "selection": {
            "tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5},
            "action": {"type": "expire"}}]})
        ecr.put_lifecycle_policy(repositoryName="pol", lifecyclePolicyText=policy)
        self.assertEqual(json.loads(ecr.get_lifecycle_policy(repositoryName="pol")[
            "lifecyclePolicyText"]), json.loads(policy))
        self.assertCode("InvalidParameterException", ecr.put_lifecycle_policy,
                        repositoryName="pol", lifecyclePolicyText=policy.replace(
                            '"expire"', '"delete"'))
        repo_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "pull", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root"
                                                                  % ACCOUNT},
            "Action": ["ecr:BatchGetImage"]}]})
        ecr.set_repository_policy(repositoryName="pol", policyText=repo_policy)
        self.assertEqual(json.loads(ecr.get_repository_policy(repositoryName="pol")[
            "policyText"]), json.loads(repo_policy))
        ecr.delete_repository_policy(repositoryName="pol")
        self.assertCode("RepositoryPolicyNotFoundException", ecr.get_repository_policy,
                        repositoryName="pol")
        ecr.delete_lifecycle_policy(repositoryName="pol")
        ecr.delete_repository(repositoryName="pol")

    def test_ecs_capacity_providers(self):
        ecs = self.client("ecs")
        ecs.create_cluster(clusterName="cap")
        out = ecs.put_cluster_capacity_providers(
            cluster="cap", capacityProviders=["FARGATE", "FARGATE_SPOT"],
            defaultCapacityProviderStrategy=[
                {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                {"capacityProvider": "FARGATE_SPOT", "weight": 3}])["cluster"]
        self.assertEqual(out["capacityProviders"], ["FARGATE", "FARGATE_SPOT"])
        self.assertEqual([(s["capacityProvider"], s["weight"], s["base"])
                          for s in out["defaultCapacityProviderStrategy"]],
                         [("FARGATE", 1, 1), ("FARGATE_SPOT", 3, 0)])
        self.assertCode("InvalidParameterException", ecs.put_cluster_capacity_providers,
                        cluster="cap", capacityProviders=["FARGATE"],
                        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT",
                                                          "weight": 1}])
        ecs.delete_cluster(cluster="cap")

    def test_appautoscaling_scheduled_and_step(self):
        aas = self.client("application-autoscaling")
        target = {"ServiceNamespace": "ecs", "ResourceId": "service/c/web",
                  "ScalableDimension": "ecs:service:DesiredCount"}
        aas.register_scalable_target(MinCapacity=1, MaxCapacity=4, **target)
        aas.put_scheduled_action(ScheduledActionName="night", Schedule="cron(0 22 * * ? *)",
                                 Timezone="Asia/Seoul",
                                 ScalableTargetAction={"MinCapacity": 0, "MaxCapacity": 1},
                                 **target)
        got = aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"]
        self.assertEqual([(a["ScheduledActionName"], a["Schedule"], a["ScalableTargetAction"])
                          for a in got],
                         [("night", "cron(0 22 * * ? *)", {"MinCapacity": 0, "MaxCapacity": 1})])
        self.assertCode("ValidationException", aas.put_scheduled_action,
                        ScheduledActionName="bad", Schedule="whenever", **target)
        step = {"AdjustmentType": "ChangeInCapacity", "Cooldown": 60,
                "MetricAggregationType": "Average",
                "StepAdjustments": [{"MetricIntervalLowerBound": 0,
                                     "MetricIntervalUpperBound": 10, "ScalingAdjustment": 1},
                                    {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 2}]}
        aas.put_scaling_policy(PolicyName="step", PolicyType="StepScaling",
                               StepScalingPolicyConfiguration=step, **target)
        overlap = json.loads(json.dumps(step))
        overlap["StepAdjustments"][1]["MetricIntervalLowerBound"] = 5
        self.assertCode("ValidationException", aas.put_scaling_policy, PolicyName="bad",
                        PolicyType="StepScaling", StepScalingPolicyConfiguration=overlap,
                        **target)
        aas.delete_scheduled_action(ScheduledActionName="night", **target)
        self.assertCode("ObjectNotFoundException", aas.delete_scheduled_action,
                        ScheduledActionName="night", **target)
        aas.deregister_scalable_target(**target)


if __name__ == "__main__":
    unittest.main()
