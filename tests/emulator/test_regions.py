"""Regions are separate, strictly: boto3 (an independent client) creates an
object of each regional service in us-west-2 and finds it there, and in
us-east-1 neither lists it nor reaches it by its id, name or ARN; the same
name may then be used in both regions. IAM is global, as in AWS. This is
what luaform's multi-region (provider alias) tests rely on. Skipped when
boto3 is not importable (Debian: python3-boto3)."""

import json
import os
import unittest

import testclient as tc

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:          # pragma: no cover - depends on the machine
    boto3 = None

WEST, EAST = "us-west-2", "us-east-1"
ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@unittest.skipIf(boto3 is None, "boto3 is not installed (Debian package python3-boto3)")
class RegionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc = tc.spawn_server()
        cls.keys = cls.proc.credentials()
        cls.saved_env = dict(os.environ)
        for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            os.environ.pop(var, None)
        os.environ["AWS_CONFIG_FILE"] = os.devnull
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        cls.clients = []

    @classmethod
    def tearDownClass(cls):
        for c in cls.clients:
            getattr(c, "close", lambda: None)()
        cls.proc.stop()
        os.environ.clear()
        os.environ.update(cls.saved_env)

    def client(self, service, region):
        session = boto3.session.Session(aws_access_key_id=self.keys[0],
                                        aws_secret_access_key=self.keys[1], region_name=region)
        cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
        c = session.client(service, endpoint_url=self.proc.url, config=cfg)
        self.clients.append(c)
        return c

    def both(self, service):
        return self.client(service, WEST), self.client(service, EAST)

    def assertCode(self, codes, fn, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        self.assertIn(cm.exception.response["Error"]["Code"], codes, cm.exception.response)

    def test_ec2(self):
        west, east = self.both("ec2")
        vid = west.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        self.assertEqual([v["VpcId"] for v in west.describe_vpcs(VpcIds=[vid])["Vpcs"]], [vid])
        self.assertNotIn(vid, [v["VpcId"] for v in east.describe_vpcs()["Vpcs"]])
        self.assertCode(["InvalidVpcID.NotFound"], east.describe_vpcs, VpcIds=[vid])
        self.assertCode(["InvalidVpcID.NotFound"], east.delete_vpc, VpcId=vid)
        self.assertCode(["InvalidVpcID.NotFound", "InvalidID"], east.create_tags, Resources=[vid],
                        Tags=[{"Key": "k", "Value": "v"}])
        self.assertEqual(west.describe_vpcs(VpcIds=[vid])["Vpcs"][0].get("Tags", []), [])

    def test_sqs(self):
        west, east = self.both("sqs")
        url = west.create_queue(QueueName="regional")["QueueUrl"]
        self.assertIn(WEST, url)
        self.assertNotIn(url, east.list_queues().get("QueueUrls", []))
        self.assertCode(["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"],
                        east.get_queue_url, QueueName="regional")
        self.assertCode(["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"],
                        east.get_queue_attributes, QueueUrl=url, AttributeNames=["All"])
        other = east.create_queue(QueueName="regional")["QueueUrl"]
        self.assertNotEqual(other, url)
        self.assertEqual(west.get_queue_url(QueueName="regional")["QueueUrl"], url)

    def test_sns(self):
        west, east = self.both("sns")
        arn = west.create_topic(Name="regional")["TopicArn"]
        self.assertIn(":%s:" % WEST, arn)
        self.assertNotIn(arn, [t["TopicArn"] for t in east.list_topics()["Topics"]])
        self.assertCode(["NotFound"], east.get_topic_attributes, TopicArn=arn)
        self.assertNotEqual(east.create_topic(Name="regional")["TopicArn"], arn)

    def test_logs(self):
        west, east = self.both("logs")
        west.create_log_group(logGroupName="/regional")
        names = [g["logGroupName"] for g in east.describe_log_groups()["logGroups"]]
        self.assertNotIn("/regional", names)
        east.create_log_group(logGroupName="/regional")   # no ResourceAlreadyExists: another region
        self.assertEqual(len(west.describe_log_groups(logGroupNamePrefix="/regional")["logGroups"]), 1)

    def test_ecr(self):
        west, east = self.both("ecr")
        west.create_repository(repositoryName="regional")
        self.assertCode(["RepositoryNotFoundException"], east.describe_repositories,
                        repositoryNames=["regional"])

    def test_ecs(self):
        west, east = self.both("ecs")
        arn = west.create_cluster(clusterName="regional")["cluster"]["clusterArn"]
        self.assertIn(":%s:" % WEST, arn)
        self.assertNotIn(arn, east.list_clusters()["clusterArns"])
        got = east.describe_clusters(clusters=[arn])
        self.assertEqual([c for c in got["clusters"] if c["status"] == "ACTIVE"], [])

    def test_elbv2(self):
        west, east = self.both("elbv2")
        vpc = self.client("ec2", WEST).create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
        west.create_target_group(Name="regional", Protocol="HTTP", Port=80, VpcId=vpc)
        self.assertCode(["TargetGroupNotFound"], east.describe_target_groups, Names=["regional"])

    def test_iam_is_global(self):
        west, east = self.both("iam")
        west.create_role(RoleName="global", AssumeRolePolicyDocument=ASSUME)
        self.assertEqual(east.get_role(RoleName="global")["Role"]["RoleName"], "global")


if __name__ == "__main__":
    unittest.main()
