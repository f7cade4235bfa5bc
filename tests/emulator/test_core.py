"""Core of the emulator: SigV4 checks, protocol plumbing, admin endpoint,
STS, persistence, and the server's command line."""

import json
import os
import tempfile
import unittest

import testclient as tc


class SignatureTest(tc.EmulatorCase):
    def test_valid_signature_is_accepted(self):
        r = self.c.call_query("sts", "GetCallerIdentity")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.xml.findtext("GetCallerIdentityResult/Account"), "123456789012")

    def test_tampered_body_is_rejected(self):
        r = self.c.call_query("ec2", "DescribeVpcs",
                              tamper=lambda h, b: b.replace(b"DescribeVpcs", b"DescribeSubnets"))
        self.assertEqual((r.status, r.error_code), (403, "SignatureDoesNotMatch"))

    def test_tampered_signed_header_is_rejected(self):
        def tamper(h, b):
            h["X-Amz-Date"] = h["X-Amz-Date"][:-3] + "00Z" if not h["X-Amz-Date"].endswith("00Z") \
                else h["X-Amz-Date"][:-3] + "01Z"
            return b
        r = self.c.call_query("sts", "GetCallerIdentity", tamper=tamper)
        self.assertEqual((r.status, r.error_code), (403, "SignatureDoesNotMatch"))

    def test_wrong_secret_is_rejected(self):
        r = self.c.call_query("sts", "GetCallerIdentity", secret_key="not-the-secret")
        self.assertEqual((r.status, r.error_code), (403, "SignatureDoesNotMatch"))
        self.assertNotIn(b"emulator-secret-key", r.body)

    def test_unknown_key_is_rejected(self):
        c = tc.Client(self.emu.url, access_key="AKIAUNKNOWN000000000")
        r = c.call_query("ec2", "DescribeVpcs")
        self.assertEqual((r.status, r.error_code), (403, "InvalidClientTokenId"))

    def test_unknown_key_json_service(self):
        c = tc.Client(self.emu.url, access_key="AKIAUNKNOWN000000000")
        r = c.call_json("ecs", "AmazonEC2ContainerServiceV20141113.ListClusters", {})
        self.assertEqual((r.status, r.error_code), (400, "UnrecognizedClientException"))

    def test_stale_date_is_rejected(self):
        r = self.c.call_query("ec2", "DescribeVpcs", when=tc.stale(16))
        self.assertEqual((r.status, r.error_code), (403, "RequestExpired"))

    def test_date_within_skew_is_accepted(self):
        r = self.c.call_query("ec2", "DescribeVpcs", when=tc.stale(14))
        self.assertEqual(r.status, 200, r)

    def test_unsigned_is_rejected(self):
        r = self.c.raw("POST", "/", "Action=DescribeVpcs&Version=2016-11-15",
                       {"Content-Type": "application/x-www-form-urlencoded"}, "ec2",
                       sign_request=False)
        self.assertEqual((r.status, r.error_code), (403, "MissingAuthenticationToken"))

    def test_signature_of_other_region_scope_is_checked(self):
        c = self.emu.client(region="eu-west-1")
        r = c.call_query("ec2", "DescribeAvailabilityZones")
        self.assertEqual(r.status, 200, r)
        zones = [e.text for e in r.items("availabilityZoneInfo/item/zoneName")]
        self.assertEqual(zones, ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d"])


class ProtocolTest(tc.EmulatorCase):
    def test_unknown_action(self):
        r = self.c.call_query("ec2", "LaunchRockets")
        self.assertEqual((r.status, r.error_code), (400, "InvalidAction"))
        self.assertEqual(r.xml.tag, "Response")
        self.assertTrue(r.xml.findtext("RequestID"))

    def test_wrong_version(self):
        r = self.c.call_query("ec2", "DescribeVpcs", version="2014-01-01")
        self.assertEqual((r.status, r.error_code), (400, "NoSuchVersion"))

    def test_query_error_document(self):
        r = self.c.call_query("elasticloadbalancing", "DescribeLoadBalancers",
                              {"LoadBalancerArns": {"member": ["arn:aws:elasticloadbalancing:"
                                                               "ap-northeast-2:123456789012:"
                                                               "loadbalancer/app/x/0123456789abcdef"]}})
        self.assertEqual((r.status, r.error_code), (400, "LoadBalancerNotFound"))
        self.assertEqual(r.xml.tag, "ErrorResponse")
        self.assertEqual(r.xml.findtext("Error/Type"), "Sender")
        self.assertTrue(r.xml.findtext("RequestId"))

    def test_ec2_response_has_namespace_and_request_id(self):
        r = self.c.call_query("ec2", "DescribeVpcs")
        self.assertEqual(r.status, 200)
        self.assertIn(b'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"', r.body)
        self.assertTrue(r.xml.findtext("requestId"))


class AdminAndStsTest(tc.FreshEmulatorCase):
    def test_counts_requests_and_clear(self):
        self.c.call_query("ec2", "DescribeVpcs")
        self.c.call_query("ec2", "DescribeVpcs")
        self.c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16"})
        status, counts = self.emu.admin("GET", "counts")
        self.assertEqual(status, 200)
        self.assertEqual(counts.get("ec2:DescribeVpcs"), 2)
        self.assertEqual(counts.get("ec2:CreateVpc"), 1)
        _, log = self.emu.admin("GET", "requests")
        self.assertEqual([e["mutating"] for e in log["requests"]], [False, False, True])
        self.emu.admin("POST", "requests/clear")
        self.assertEqual(self.emu.admin("GET", "counts")[1], {})

    def test_reset_forgets_everything(self):
        self.c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.0.0.0/16"})
        self.assertEqual(len(self.emu.admin("GET", "inventory")[1]["ec2"]["vpc"]), 1)
        self.emu.admin("POST", "reset")
        self.assertEqual(self.emu.admin("GET", "inventory")[1]["ec2"].get("vpc", []), [])

    def test_unknown_admin_route(self):
        self.assertEqual(self.emu.admin("GET", "nope")[0], 404)

    def test_assume_role_credentials_sign_requests(self):
        doc = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sts:AssumeRole"}]})
        r = self.c.call_query("iam", "CreateRole", {"RoleName": "deployer",
                                                    "AssumeRolePolicyDocument": doc})
        self.assertEqual(r.status, 200, r)
        r = self.c.call_query("sts", "AssumeRole", {
            "RoleArn": "arn:aws:iam::123456789012:role/deployer", "RoleSessionName": "ci",
            "DurationSeconds": "900"})
        self.assertEqual(r.status, 200, r)
        cred = r.xml.find("AssumeRoleResult/Credentials")
        ak = cred.findtext("AccessKeyId")
        self.assertRegex(ak, r"^ASIA[A-Z0-9]{16}$")
        self.assertEqual(r.xml.findtext("AssumeRoleResult/AssumedRoleUser/Arn"),
                         "arn:aws:sts::123456789012:assumed-role/deployer/ci")
        temp = tc.Client(self.emu.url, ak, cred.findtext("SecretAccessKey"),
                         session_token=cred.findtext("SessionToken"))
        r = temp.call_query("sts", "GetCallerIdentity")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.xml.findtext("GetCallerIdentityResult/Arn"),
                         "arn:aws:sts::123456789012:assumed-role/deployer/ci")
        # without the session token, or with a wrong one: rejected
        no_token = tc.Client(self.emu.url, ak, cred.findtext("SecretAccessKey"))
        self.assertEqual(no_token.call_query("sts", "GetCallerIdentity").error_code,
                         "InvalidClientTokenId")
        bad_token = tc.Client(self.emu.url, ak, cred.findtext("SecretAccessKey"),
                              session_token="x" + cred.findtext("SessionToken"))
        self.assertEqual(bad_token.call_query("sts", "GetCallerIdentity").error_code,
                         "InvalidClientTokenId")
        # expired after DurationSeconds on the emulator clock
        self.emu.admin("POST", "clock", {"advance": 901})
        r = temp.call_query("sts", "GetCallerIdentity")
        self.assertEqual((r.status, r.error_code), (403, "ExpiredToken"))

    def test_assume_role_of_missing_role_is_denied(self):
        r = self.c.call_query("sts", "AssumeRole", {
            "RoleArn": "arn:aws:iam::123456789012:role/nobody", "RoleSessionName": "ci"})
        self.assertEqual((r.status, r.error_code), (403, "AccessDenied"))

    def test_assume_role_validates_duration(self):
        r = self.c.call_query("sts", "AssumeRole", {
            "RoleArn": "arn:aws:iam::123456789012:role/x", "RoleSessionName": "ci",
            "DurationSeconds": "60"})
        self.assertEqual((r.status, r.error_code), (400, "ValidationError"))


class CommandLineTest(unittest.TestCase):
    def test_state_survives_restart(self):
        with tempfile.TemporaryDirectory() as d:
            state = os.path.join(d, "state.json")
            args = ("--state", state, "--access-key", "AKIAOTHERKEY00000000",
                    "--secret-key", "other-secret")
            with tc.spawn_server(*args) as p:
                self.assertTrue(p.creds_line.startswith("access_key=AKIAOTHERKEY00000000 "))
                c = p.client()
                r = c.call_query("ec2", "CreateVpc", {"CidrBlock": "10.9.0.0/16"})
                self.assertEqual(r.status, 200, r)
                vpc_id = r.xml.findtext("vpc/vpcId")
            self.assertEqual(os.stat(state).st_size > 0, True)
            with tc.spawn_server(*args) as p:
                r = p.client().call_query("ec2", "DescribeVpcs", {"VpcId": [vpc_id]})
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.xml.findtext("vpcSet/item/cidrBlock"), "10.9.0.0/16")


if __name__ == "__main__":
    unittest.main()
