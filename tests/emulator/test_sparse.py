"""--sparse (emulator/sparse.py): answers as moto shapes them. The shaping
on its own (no HTTP), then boto3 against a spawned `server.py --sparse`:
the answers still parse with the AWS models, set members named in OMITTED
and empty lists are left out while the account keeps them, and unset
documents come back as "". Skipped without boto3 where boto3 is needed."""

import json
import unittest

import testclient as tc
from emulator import sparse
from emulator.wire import XmlMap

try:
    import boto3
    import botocore.config
except ImportError:          # pragma: no cover - depends on the machine
    boto3 = None

REGION = "ap-northeast-2"


class SparseShapeTest(unittest.TestCase):
    def test_empty_members_are_left_out_and_the_store_is_untouched(self):
        stored = {"serviceArn": "arn", "loadBalancers": [], "tags": None,
                  "deploymentConfiguration": {"maximumPercent": 200},
                  "network": {"awsvpcConfiguration": {"securityGroups": []}}}
        out = sparse.answer("ecs", "DescribeServices", {"services": [stored], "failures": []})
        self.assertEqual(out, {"services": [{"serviceArn": "arn"}]})
        self.assertEqual(stored["deploymentConfiguration"], {"maximumPercent": 200})
        self.assertEqual(stored["loadBalancers"], [])

    def test_unset_documents_are_blank_and_set_ones_kept(self):
        out = sparse.answer("sns", "GetTopicAttributes",
                            {"Attributes": XmlMap({"TopicArn": "t", "Policy": "{}"})})
        self.assertIsInstance(out["Attributes"], XmlMap)
        self.assertEqual(out["Attributes"]["DeliveryPolicy"], "")
        self.assertEqual(out["Attributes"]["Policy"], "{}")
        out = sparse.answer("sns", "GetTopicAttributes",
                            {"Attributes": XmlMap({"DeliveryPolicy": '{"http":{}}'})})
        self.assertEqual(out["Attributes"]["DeliveryPolicy"], '{"http":{}}')

    def test_other_answers_only_lose_empty_members(self):
        self.assertEqual(sparse.answer("ec2", "DescribeVpcs", {"vpcSet": [{"vpcId": "v",
                                                                           "tagSet": []}]}),
                         {"vpcSet": [{"vpcId": "v"}]})
        raw = {"_status": 200, "_body": b"", "_headers": {}}
        self.assertIs(sparse.answer("s3", "GetObject", raw), raw)


@unittest.skipIf(boto3 is None, "boto3 is not installed (Debian package python3-boto3)")
class SparseBoto3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc = tc.spawn_server("--sparse")
        keys = cls.proc.credentials()
        cls.session = boto3.session.Session(aws_access_key_id=keys[0],
                                            aws_secret_access_key=keys[1], region_name=REGION)

    @classmethod
    def tearDownClass(cls):
        cls.proc.stop()

    def client(self, service):
        cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
        c = self.session.client(service, endpoint_url=self.proc.url, config=cfg)
        self.addCleanup(c.close)
        return c

    def inventory(self):
        status, inv = self.proc.admin("GET", "inventory")
        self.assertEqual(status, 200)
        return inv

    def test_ecs_leaves_out_deployment_settings_it_keeps(self):
        ecs, ec2, elb = self.client("ecs"), self.client("ec2"), self.client("elbv2")
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.%d.0/24" % i,
                                     AvailabilityZone=REGION + z)["Subnet"]["SubnetId"]
                   for i, z in ((1, "a"), (2, "c"))]
        tg = elb.create_target_group(Name="sparse-tg", Protocol="HTTP", Port=80, VpcId=vpc,
                                     TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
        lb = elb.create_load_balancer(Name="sparse-lb", Subnets=subnets)[
            "LoadBalancers"][0]["LoadBalancerArn"]
        elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
        ecs.create_cluster(clusterName="sparse")
        td = ecs.register_task_definition(
            family="sparse", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
            cpu="256", memory="512",
            containerDefinitions=[{"name": "app", "image": "nginx",
                                   "portMappings": [{"containerPort": 80}]}])
        arn = td["taskDefinition"]["taskDefinitionArn"]
        created = ecs.create_service(
            cluster="sparse", serviceName="web", taskDefinition=arn, desiredCount=1,
            launchType="FARGATE", healthCheckGracePeriodSeconds=30,
            deploymentConfiguration={"maximumPercent": 150, "minimumHealthyPercent": 50},
            loadBalancers=[{"targetGroupArn": tg, "containerName": "app", "containerPort": 80}],
            networkConfiguration={"awsvpcConfiguration": {"subnets": subnets}})["service"]
        got = ecs.describe_services(cluster="sparse", services=["web"])
        for answer in (created, got["services"][0]):
            self.assertEqual(answer["desiredCount"], 1)
            self.assertNotIn("deploymentConfiguration", answer)
            self.assertNotIn("healthCheckGracePeriodSeconds", answer)
        self.assertNotIn("failures", got)          # an empty list is left out
        self.assertNotIn("securityGroups",
                         got["services"][0]["networkConfiguration"]["awsvpcConfiguration"])
        kept = self.inventory()["ecs"]["service"][0]
        self.assertEqual(kept["deploymentConfiguration"]["maximumPercent"], 150)
        self.assertEqual(kept["healthCheckGracePeriodSeconds"], 30)

    def test_logs_leaves_out_the_class_it_keeps(self):
        logs = self.client("logs")
        logs.create_log_group(logGroupName="/sparse/cold")   # Debian's botocore predates classes
        got = logs.describe_log_groups(logGroupNamePrefix="/sparse/cold")["logGroups"]
        self.assertEqual([g["logGroupName"] for g in got], ["/sparse/cold"])
        self.assertNotIn("logGroupClass", got[0])
        kept = [g for g in self.inventory()["logs"]["log_group"] if g["logGroupName"] == "/sparse/cold"]
        self.assertEqual(kept[0]["logGroupClass"], "STANDARD")

    def test_unset_sns_documents_come_back_blank(self):
        sns, sqs = self.client("sns"), self.client("sqs")
        topic = sns.create_topic(Name="sparse-topic")["TopicArn"]
        self.assertEqual(sns.get_topic_attributes(TopicArn=topic)["Attributes"]
                         ["DeliveryPolicy"], "")
        doc = json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 4}}})
        sns.set_topic_attributes(TopicArn=topic, AttributeName="DeliveryPolicy",
                                 AttributeValue=doc)
        got = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DeliveryPolicy"]
        self.assertEqual(json.loads(got), json.loads(doc))
        q = sqs.create_queue(QueueName="sparse-q")["QueueUrl"]
        q_arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q_arn,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        sa = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
        self.assertEqual(sa["FilterPolicy"], "")
        self.assertEqual(sa["Endpoint"], q_arn)

    def test_a_group_with_no_rules_has_no_rule_lists(self):
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
        sg = ec2.create_security_group(GroupName="sparse-sg", Description="sparse",
                                       VpcId=vpc)["GroupId"]
        g = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]
        self.assertNotIn("IpPermissions", g)
        ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=g["IpPermissionsEgress"])
        g = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]
        self.assertNotIn("IpPermissionsEgress", g)
        self.assertEqual(g["GroupName"], "sparse-sg")


if __name__ == "__main__":
    unittest.main()
