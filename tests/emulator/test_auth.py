"""SigV4 rejections in the json and rest-xml (S3) protocols, with the codes
and statuses each protocol uses (test_core covers ec2/query): a tampered
body, a wrong secret, an unknown key, a stale X-Amz-Date, no signature;
and that no secret reaches a response."""

import unittest

import testclient as tc

ECS = "AmazonEC2ContainerServiceV20141113.ListClusters"


class AuthTest(tc.EmulatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emu.client().raw("PUT", "/bucket", tc.BUCKET_CONF, service="s3")

    def assertRejected(self, r, status, code):
        self.assertEqual((r.status, r.error_code), (status, code), r)
        self.assertNotIn(b"emulator-secret-key", r.body)
        self.assertNotIn("emulator-secret-key", str(r.headers))

    # json
    def test_json_tampered_body(self):
        r = self.c.call_json("ecs", ECS, {"maxResults": 10},
                             tamper=lambda h, b: b.replace(b"10", b"20"))
        self.assertRejected(r, 400, "InvalidSignatureException")

    def test_json_wrong_secret(self):
        r = self.c.call_json("ecs", ECS, {}, secret_key="wrong")
        self.assertRejected(r, 400, "InvalidSignatureException")

    def test_json_unknown_key(self):
        r = tc.Client(self.emu.url, access_key="AKIAUNKNOWN000000000").call_json(
            "logs", "Logs_20140328.DescribeLogGroups", {})
        self.assertRejected(r, 400, "UnrecognizedClientException")

    def test_json_stale_date(self):
        r = self.c.call_json("ecs", ECS, {}, when=tc.stale(20))
        self.assertRejected(r, 400, "InvalidSignatureException")

    def test_json_unsigned(self):
        r = self.c.call_json("ecs", ECS, {}, sign_request=False)
        self.assertRejected(r, 400, "MissingAuthenticationTokenException")

    # rest-xml (S3)
    def test_s3_tampered_body(self):
        r = self.c.raw("PUT", "/bucket/k", b"original", service="s3",
                       tamper=lambda h, b: b"tampered")
        # S3 checks the signed payload hash against the body it received
        self.assertRejected(r, 400, "XAmzContentSHA256Mismatch")
        self.assertEqual(self.c.raw("GET", "/bucket/k", service="s3").status, 404)

    def test_s3_wrong_secret(self):
        r = self.c.raw("GET", "/bucket/k", service="s3", secret_key="wrong")
        self.assertRejected(r, 403, "SignatureDoesNotMatch")

    def test_s3_unknown_key(self):
        r = tc.Client(self.emu.url, access_key="AKIAUNKNOWN000000000").raw(
            "GET", "/bucket/k", service="s3")
        self.assertRejected(r, 403, "InvalidAccessKeyId")
        self.assertEqual(r.xml.findtext("Message"),
                         "The AWS Access Key Id you provided does not exist in our records.")

    def test_s3_stale_date(self):
        r = self.c.raw("GET", "/bucket/k", service="s3", when=tc.stale(20))
        self.assertRejected(r, 403, "RequestTimeTooSkewed")

    def test_s3_unsigned(self):
        r = self.c.raw("GET", "/bucket/k", service="s3", sign_request=False)
        self.assertRejected(r, 403, "AccessDenied")

    # query
    def test_query_stale_date(self):
        r = self.c.call_query("elasticloadbalancing", "DescribeLoadBalancers", when=tc.stale(16))
        self.assertRejected(r, 403, "RequestExpired")

    def test_query_tampered_action(self):
        def swap(h, b):
            return b.replace(b"GetCallerIdentity", b"GetSessionToken")
        r = self.c.call_query("sts", "GetCallerIdentity", tamper=swap)
        self.assertRejected(r, 403, "SignatureDoesNotMatch")


if __name__ == "__main__":
    unittest.main()
