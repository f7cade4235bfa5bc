"""Fault injection, with fixed seeds: throttling with each protocol's own
error, 500/503 server errors, latency, lost responses of mutating calls
(applied, then the connection closed), the eventual-consistency window,
the same faults for the same seed, and the admin faults endpoint and
command-line flags."""

import http.client
import time
import unittest

import testclient as tc


class FaultCase(tc.FreshEmulatorCase):
    def faults(self, **settings):
        status, body = self.emu.admin("POST", "faults", settings)
        self.assertEqual(status, 200, body)
        return body


class ThrottleAndErrorTest(FaultCase):
    def test_throttle_uses_each_protocols_error(self):
        self.faults(throttle_pct=100)
        r = self.c.call_query("ec2", "DescribeVpcs")
        self.assertEqual((r.status, r.error_code), (503, "RequestLimitExceeded"))
        r = self.c.call_query("elasticloadbalancing", "DescribeLoadBalancers")
        self.assertEqual((r.status, r.error_code), (400, "Throttling"))
        self.assertEqual(r.xml.findtext("Error/Type"), "Sender")
        r = self.c.call_query("iam", "ListRoles")
        self.assertEqual((r.status, r.error_code), (400, "Throttling"))
        r = self.c.call_json("ecs", "AmazonEC2ContainerServiceV20141113.ListClusters", {})
        self.assertEqual((r.status, r.error_code), (400, "ThrottlingException"))
        r = self.c.raw("GET", "/", service="s3")
        self.assertEqual((r.status, r.error_code), (503, "SlowDown"))
        # a throttled call changed nothing
        self.c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16"})
        self.faults(throttle_pct=0)
        self.assertEqual(self.emu.admin("GET", "inventory")[1]["ec2"]["vpc"], [])

    def test_server_errors_are_500_or_503(self):
        self.faults(error_pct=100, seed=3)
        seen = set()
        for _ in range(12):
            r = self.c.call_query("ec2", "DescribeVpcs")
            seen.add((r.status, r.error_code))
        self.assertEqual(seen, {(500, "InternalError"), (503, "Unavailable")})
        seen = set()
        for _ in range(12):
            r = self.c.call_json("logs", "Logs_20140328.DescribeLogGroups", {})
            seen.add((r.status, r.error_code))
        self.assertEqual(seen, {(500, "InternalFailure"), (503, "ServiceUnavailable")})

    def test_same_seed_same_faults(self):
        def run():
            self.faults(throttle_pct=40, error_pct=20, seed=42)
            return [self.c.call_query("ec2", "DescribeVpcs").status for _ in range(30)]
        first, second = run(), run()
        self.assertEqual(first, second)
        self.assertTrue({200, 503} <= set(first), first)
        self.faults(seed=43)
        third = [self.c.call_query("ec2", "DescribeVpcs").status for _ in range(30)]
        self.assertNotEqual(first, third)

    def test_percentage_is_roughly_honoured(self):
        self.faults(throttle_pct=25, seed=1)
        statuses = [self.c.call_query("sts", "GetCallerIdentity").status for _ in range(200)]
        throttled = statuses.count(400)
        self.assertTrue(25 <= throttled <= 75, throttled)
        self.assertEqual(throttled + statuses.count(200), 200)

    def test_latency_delays_answers(self):
        self.faults(latency_ms=300)
        start = time.monotonic()
        r = self.c.call_query("sts", "GetCallerIdentity")
        # a lower bound only: the emulator sleeps at least this long before answering
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        self.assertEqual(r.status, 200)


class LostResponseTest(FaultCase):
    def test_lost_response_applies_the_change(self):
        self.faults(lose_pct=100)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16",
                                                   "ClientToken": "once"})
        # reads are never lost
        r = self.c.call_query("ec2", "DescribeVpcs")
        self.assertEqual(r.status, 200, r)
        (vpc,) = [e.text for e in r.items("vpcSet/item/vpcId")]
        self.faults(lose_pct=0)
        # a client retrying with its ClientToken gets the same VPC, not a second one
        r = self.c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16",
                                                   "ClientToken": "once"})
        self.assertEqual(r.xml.findtext("vpc/vpcId"), vpc)
        self.assertEqual(len(self.emu.admin("GET", "inventory")[1]["ec2"]["vpc"]), 1)
        log = self.emu.admin("GET", "requests")[1]["requests"]
        self.assertEqual([(e["action"], e["status"]) for e in log],
                         [("CreateVpc", 200), ("DescribeVpcs", 200), ("CreateVpc", 200)])

    def test_lost_json_call(self):
        self.faults(lose_pct=100)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.c.call_json("ecr", "AmazonEC2ContainerRegistry_V20150921.CreateRepository",
                             {"repositoryName": "lost"})
        self.faults(lose_pct=0)
        r = self.c.call_json("ecr", "AmazonEC2ContainerRegistry_V20150921.CreateRepository",
                             {"repositoryName": "lost"})
        self.assertEqual(r.error_code, "RepositoryAlreadyExistsException")


class ConsistencyTest(FaultCase):
    def test_new_objects_are_not_found_for_a_while(self):
        self.faults(consistency_ms=2000)
        vpc = self.c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16"}).xml.findtext(
            "vpc/vpcId")
        r = self.c.call_query("ec2", "DescribeVpcs", {"VpcId": [vpc]})
        self.assertEqual((r.status, r.error_code), (400, "InvalidVpcID.NotFound"))
        r = self.c.call_query("ec2", "DescribeVpcs")
        self.assertEqual(r.items("vpcSet/item"), [])
        sns = self.c.call_query("sns", "CreateTopic", {"Name": "t"})
        topic = sns.xml.findtext("CreateTopicResult/TopicArn")
        r = self.c.call_query("sns", "GetTopicAttributes", {"TopicArn": topic})
        self.assertEqual((r.status, r.error_code), (404, "NotFound"))
        tg = self.c.call_query("elasticloadbalancing", "CreateTargetGroup", {
            "Name": "tg", "Protocol": "HTTP", "Port": "80", "VpcId": vpc}).xml.findtext(
            "CreateTargetGroupResult/TargetGroups/member/TargetGroupArn")
        r = self.c.call_query("elasticloadbalancing", "DescribeTargetGroups",
                              {"TargetGroupArns": {"member": [tg]}})
        self.assertEqual((r.status, r.error_code), (400, "TargetGroupNotFound"))
        self.emu.admin("POST", "clock", {"advance": 2.5})
        r = self.c.call_query("elasticloadbalancing", "DescribeTargetGroups",
                              {"TargetGroupArns": {"member": [tg]}})
        self.assertEqual(r.status, 200, r)
        r = self.c.call_query("ec2", "DescribeVpcs", {"VpcId": [vpc]})
        self.assertEqual(r.status, 200, r)
        r = self.c.call_query("sns", "GetTopicAttributes", {"TopicArn": topic})
        self.assertEqual(r.status, 200, r)


class AdminFaultsTest(FaultCase):
    def test_settings_round_trip_and_validation(self):
        got = self.faults(throttle_pct=5, latency_ms=10)
        self.assertEqual((got["throttle_pct"], got["latency_ms"], got["error_pct"]), (5.0, 10, 0.0))
        self.assertEqual(self.emu.admin("GET", "faults")[1], got)
        self.assertEqual(self.emu.admin("POST", "faults", {"throttle_pct": 101})[0], 400)
        self.assertEqual(self.emu.admin("POST", "faults", {"bogus": 1})[0], 400)
        self.assertEqual(self.emu.admin("GET", "health"), (200, {"ok": True}))


class CommandLineFaultsTest(unittest.TestCase):
    def test_flags_set_the_faults(self):
        with tc.spawn_server("--throttle-pct", "100", "--seed", "9", "--lose-pct", "0") as p:
            r = p.client().call_query("ec2", "DescribeVpcs")
            self.assertEqual((r.status, r.error_code), (503, "RequestLimitExceeded"))
            settings = p.admin("GET", "faults")[1]
            self.assertEqual((settings["throttle_pct"], settings["seed"]), (100.0, 9))


if __name__ == "__main__":
    unittest.main()
