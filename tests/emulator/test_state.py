"""--state FILE: the emulated account (every service, and the emulator
clock) survives a restart of the server process; reset is persisted too;
the file is always complete JSON with no temporary files left behind."""

import json
import os
import tempfile
import unittest

import testclient as tc

class StateTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "account.json")

    def tearDown(self):
        self.dir.cleanup()

    def run_server(self, fn):
        with tc.spawn_server("--state", self.path, "--nat-delay-ms", "1000") as p:
            return fn(p, p.client())

    def test_every_family_survives_a_restart(self):
        def create(p, c):
            vpc = c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16"}).xml.findtext(
                "vpc/vpcId")
            tg = c.call_query("elasticloadbalancing", "CreateTargetGroup", {
                "Name": "tg", "Protocol": "HTTP", "Port": "80", "VpcId": vpc}).xml.findtext(
                "CreateTargetGroupResult/TargetGroups/member/TargetGroupArn")
            self.assertEqual(c.call_json("sqs", "AmazonSQS.CreateQueue", {"QueueName": "q"},
                                         json_version="1.0").status, 200)
            self.assertEqual(c.raw("PUT", "/bkt", tc.BUCKET_CONF, service="s3").status, 200)
            self.assertEqual(c.raw("PUT", "/bkt/state.json", b"{}", service="s3").status, 200)
            self.assertEqual(c.call_json("ecs", "AmazonEC2ContainerServiceV20141113."
                                                "CreateCluster", {"clusterName": "main"}).status,
                             200)
            return vpc, tg, p.admin("GET", "inventory")[1]
        vpc, tg, before = self.run_server(create)
        with open(self.path) as f:
            json.load(f)                     # complete JSON
        self.assertEqual(os.listdir(self.dir.name), ["account.json"])

        def check(p, c):
            self.assertEqual(p.admin("GET", "inventory")[1], before)
            r = c.call_query("ec2", "DescribeVpcs", {"VpcId": [vpc]})
            self.assertEqual(r.status, 200, r)
            r = c.call_query("elasticloadbalancing", "DescribeTargetGroups",
                             {"TargetGroupArns": {"member": [tg]}})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(c.raw("GET", "/bkt/state.json", service="s3").body, b"{}")
            r = c.call_json("sqs", "AmazonSQS.GetQueueUrl", {"QueueName": "q"}, json_version="1.0")
            self.assertEqual(r.status, 200, r)
        self.run_server(check)

    def test_clock_and_state_transitions_survive(self):
        def create(p, c):
            vpc = c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16"}).xml.findtext(
                "vpc/vpcId")
            igw = c.call_query("ec2", "CreateInternetGateway").xml.findtext(
                "internetGateway/internetGatewayId")
            c.call_query("ec2", "AttachInternetGateway", {"InternetGatewayId": igw, "VpcId": vpc})
            sub = c.call_query("ec2", "CreateSubnet", {"VpcId": vpc, "CidrBlock": "10.0.1.0/24"}
                               ).xml.findtext("subnet/subnetId")
            alloc = c.call_query("ec2", "AllocateAddress", {"Domain": "vpc"}).xml.findtext(
                "allocationId")
            nat = c.call_query("ec2", "CreateNatGateway", {"SubnetId": sub, "AllocationId": alloc}
                               ).xml.findtext("natGateway/natGatewayId")
            p.admin("POST", "clock", {"advance": 60})
            return nat
        nat = self.run_server(create)

        def check(p, c):
            self.assertGreaterEqual(p.admin("GET", "clock")[1]["offset"], 60)
            r = c.call_query("ec2", "DescribeNatGateways", {"NatGatewayId": [nat]})
            self.assertEqual(r.xml.findtext("natGatewaySet/item/state"), "available")
        self.run_server(check)

    def test_reset_is_persisted(self):
        self.run_server(lambda p, c: c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16"}))
        self.run_server(lambda p, c: p.admin("POST", "reset"))

        def check(p, c):
            self.assertEqual(p.admin("GET", "inventory")[1]["ec2"]["vpc"], [])
        self.run_server(check)

    def test_without_state_nothing_is_kept(self):
        with tc.spawn_server() as p:
            p.client().call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16"})
        with tc.spawn_server() as p:
            self.assertEqual(p.admin("GET", "inventory")[1]["ec2"]["vpc"], [])


if __name__ == "__main__":
    unittest.main()
