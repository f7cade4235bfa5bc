"""boto3 against a spawned emulator for what issue 14's later types need (the rest of issue 14
is in test_boto3_platform_issue14.py): security group rule descriptions changed in place,
CloudWatch Logs log group classes, EventBridge Scheduler schedules. Every raw response is
checked against botocore's model as in test_boto3 (same server set-up)."""

import json
import unittest

import test_boto3 as b3


@unittest.skipIf(b3.boto3 is None, "boto3 is not installed (Debian package python3-boto3)")
class MoreBoto3Test(b3.Boto3Case, unittest.TestCase):
    # the server, session and model check of test_boto3 (Boto3Case), without its tests

    def test_security_group_rule_descriptions(self):
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
        sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
        perm = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "old"},
                             {"CidrIp": "10.1.0.0/16"}]}
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[perm])
        perm["IpRanges"] = [{"CidrIp": "10.0.0.0/8", "Description": "new"},
                            {"CidrIp": "10.1.0.0/16", "Description": "new"}]
        ec2.update_security_group_rule_descriptions_ingress(GroupId=sg, IpPermissions=[perm])
        got = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"]
        self.assertEqual(sorted((r["CidrIp"], r.get("Description")) for r in got[0]["IpRanges"]),
                         [("10.0.0.0/8", "new"), ("10.1.0.0/16", "new")])
        # a rule not there: nothing changes
        self.assertCode("InvalidPermission.NotFound",
                        ec2.update_security_group_rule_descriptions_ingress, GroupId=sg,
                        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                        "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "x"},
                                                     {"CidrIp": "10.9.0.0/16"}]}])
        self.assertCode("InvalidPermission.NotFound",
                        ec2.update_security_group_rule_descriptions_egress, GroupId=sg,
                        IpPermissions=[perm])
        got = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"]
        self.assertEqual(sorted(r.get("Description") for r in got[0]["IpRanges"]), ["new", "new"])
        ec2.delete_security_group(GroupId=sg)
        ec2.delete_vpc(VpcId=vpc)

    def test_log_group_classes(self):
        logs = self.client("logs")

        # Debian's botocore (1.29) predates logGroupClass: the member a newer model sends is
        # added to the signed request body
        def with_class(request, **_):
            body = json.loads(request.data or b"{}")
            if body.get("logGroupName") == "/cold":
                body["logGroupClass"] = "INFREQUENT_ACCESS"
            if body.get("logGroupName") == "/bad":
                body["logGroupClass"] = "ARCHIVE"
            request.data = json.dumps(body).encode()
        logs.meta.events.register("before-sign.cloudwatch-logs.CreateLogGroup", with_class)
        logs.create_log_group(logGroupName="/cold")
        logs.create_log_group(logGroupName="/hot")
        self.assertCode("InvalidParameterException", logs.create_log_group, logGroupName="/bad")
        raw = []   # ... and drops it from the answers it parses: the raw answer is read
        logs.meta.events.register("after-call.cloudwatch-logs.DescribeLogGroups",
                                  lambda http_response, **_: raw.append(http_response.content))
        names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
        got = {g["logGroupName"]: g["logGroupClass"] for g in json.loads(raw[0])["logGroups"]}
        self.assertEqual(sorted(names), sorted(got))
        self.assertEqual(got, {"/cold": "INFREQUENT_ACCESS", "/hot": "STANDARD"})
        for name in got:
            logs.delete_log_group(logGroupName=name)

    def test_scheduler_schedules(self):
        sch = self.client("scheduler")
        role = "arn:aws:iam::123456789012:role/scheduler"
        target = {"Arn": "arn:aws:ecs:%s:123456789012:cluster/app" % b3.REGION, "RoleArn": role,
                  "EcsParameters": {"TaskDefinitionArn": "arn:aws:ecs:%s:123456789012:"
                                    "task-definition/job:1" % b3.REGION, "LaunchType": "FARGATE",
                                    "NetworkConfiguration": {"awsvpcConfiguration": {
                                        "Subnets": ["subnet-1"], "AssignPublicIp": "ENABLED"}}},
                  "RetryPolicy": {"MaximumRetryAttempts": 3},
                  "DeadLetterConfig": {"Arn": "arn:aws:sqs:%s:123456789012:dlq" % b3.REGION}}
        arn = sch.create_schedule(Name="nightly", ScheduleExpression="cron(0 3 * * ? *)",
                                  ScheduleExpressionTimezone="Asia/Seoul", Description="d",
                                  FlexibleTimeWindow={"Mode": "FLEXIBLE",
                                                      "MaximumWindowInMinutes": 15},
                                  StartDate=1893456000, Target=target)["ScheduleArn"]
        self.assertEqual(arn, "arn:aws:scheduler:%s:123456789012:schedule/default/nightly"
                         % b3.REGION)
        got = sch.get_schedule(Name="nightly")
        self.assertEqual((got["GroupName"], got["State"], got["ScheduleExpressionTimezone"],
                          got["StartDate"].year, got["Description"]),
                         ("default", "ENABLED", "Asia/Seoul", 2030, "d"))
        self.assertEqual(got["Target"]["RetryPolicy"],
                         {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 3})
        self.assertEqual(got["Target"]["EcsParameters"]["NetworkConfiguration"],
                         target["EcsParameters"]["NetworkConfiguration"])
        # an update replaces the schedule whole: what it leaves out is reset
        sch.update_schedule(Name="nightly", ScheduleExpression="rate(5 minutes)",
                            FlexibleTimeWindow={"Mode": "OFF"}, State="DISABLED",
                            Target={"Arn": target["Arn"], "RoleArn": role})
        got = sch.get_schedule(Name="nightly", GroupName="default")
        self.assertEqual((got["ScheduleExpression"], got["State"], got.get("Description"),
                          got["ScheduleExpressionTimezone"], got["Target"]["RetryPolicy"]),
                         ("rate(5 minutes)", "DISABLED", None, "UTC",
                          {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}))
        self.assertNotIn("EcsParameters", got["Target"])
        sch.create_schedule_group(Name="jobs")
        for i in range(3):
            sch.create_schedule(Name="job%d" % i, GroupName="jobs", ScheduleExpression="rate(1 hour)",
                                FlexibleTimeWindow={"Mode": "OFF"},
                                Target={"Arn": target["Arn"], "RoleArn": role})
        first = sch.list_schedules(GroupName="jobs", MaxResults=2)
        rest = sch.list_schedules(GroupName="jobs", MaxResults=2, NextToken=first["NextToken"])
        self.assertEqual([s["Name"] for s in first["Schedules"] + rest["Schedules"]],
                         ["job0", "job1", "job2"])
        self.assertNotIn("NextToken", rest)
        self.assertEqual(len(sch.list_schedules()["Schedules"]), 4)
        # errors, in AWS's codes
        ok = {"FlexibleTimeWindow": {"Mode": "OFF"}, "Target": {"Arn": target["Arn"], "RoleArn": role}}
        self.assertCode("ConflictException", sch.create_schedule, Name="nightly",
                        ScheduleExpression="rate(1 hour)", **ok)
        self.assertCode("ResourceNotFoundException", sch.create_schedule, Name="x",
                        GroupName="nope", ScheduleExpression="rate(1 hour)", **ok)
        self.assertCode("ValidationException", sch.create_schedule, Name="x",
                        ScheduleExpression="rate(1 hours)", **ok)
        self.assertCode("ValidationException", sch.create_schedule, Name="x",
                        ScheduleExpression="rate(2 hours)", FlexibleTimeWindow={"Mode": "FLEXIBLE"},
                        Target=ok["Target"])
        self.assertCode("ValidationException", sch.create_schedule, Name="x",
                        ScheduleExpression="rate(2 hours)", ScheduleExpressionTimezone="Mars/Base",
                        **ok)
        self.assertCode("ValidationException", sch.update_schedule, Name="nightly",
                        ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"},
                        Target={"Arn": target["Arn"], "RoleArn": role,
                                "RetryPolicy": {"MaximumRetryAttempts": 186}})
        self.assertCode("ResourceNotFoundException", sch.get_schedule, Name="nope")
        self.assertCode("ValidationException", sch.delete_schedule_group, Name="default")
        sch.delete_schedule(Name="nightly")
        sch.delete_schedule_group(Name="jobs")
        self.assertEqual(sch.list_schedules()["Schedules"], [])
        self.assertEqual([g["Name"] for g in sch.list_schedule_groups()["ScheduleGroups"]],
                         ["default"])
        # a bad signature is refused in rest-json's error form
        forged = self.track(b3.boto3.session.Session(
            aws_access_key_id=self.keys[0], aws_secret_access_key="not-the-secret",
            region_name=b3.REGION).client("scheduler", endpoint_url=self.proc.url))
        self.assertCode("InvalidSignatureException", forged.list_schedules)


if __name__ == "__main__":
    unittest.main()
