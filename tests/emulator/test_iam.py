"""IAM over HTTP (query protocol, signed for us-east-1): roles, trust policies (account IDs as
principals stored as root ARNs), managed policy
attachments, tags, and IAM's error codes and statuses."""
import json
import unittest
import urllib.parse

import testclient as tc

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


class IamTest(tc.EmulatorCase):
    client_options = {"region": "us-east-1"}

    def call(self, action, **params):
        return self.c.call_query("iam", action, params)

    def create(self, name, **extra):
        r = self.call("CreateRole", RoleName=name, AssumeRolePolicyDocument=TRUST, **extra)
        self.assertEqual(r.status, 200, r)
        return r

    def test_create_get_round_trip(self):
        r = self.create("exec-role", Path="/app/", Description="task execution",
                        MaxSessionDuration="7200",
                        Tags={"member": [{"Key": "team", "Value": "core"}]})
        role = r.xml.find("CreateRoleResult/Role")
        self.assertEqual(role.findtext("Arn"), "arn:aws:iam::123456789012:role/app/exec-role")
        self.assertRegex(role.findtext("RoleId"), r"^AROA[A-Z0-9]{17}$")
        self.assertRegex(role.findtext("CreateDate"), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        g = self.call("GetRole", RoleName="exec-role")
        self.assertEqual(g.status, 200, g)
        got = g.xml.find("GetRoleResult/Role")
        encoded = got.findtext("AssumeRolePolicyDocument")
        self.assertIn("%22", encoded)   # URL-encoded as IAM returns it
        self.assertEqual(urllib.parse.unquote(encoded), TRUST)
        self.assertEqual(got.findtext("Description"), "task execution")
        self.assertEqual(got.findtext("MaxSessionDuration"), "7200")
        self.assertEqual(got.findtext("Path"), "/app/")
        self.assertEqual([(t.findtext("Key"), t.findtext("Value"))
                          for t in got.findall("Tags/member")], [("team", "core")])
        self.assertTrue(g.xml.findtext("ResponseMetadata/RequestId"))

    def test_duplicate_and_missing(self):
        self.create("dup")
        r = self.call("CreateRole", RoleName="dup", AssumeRolePolicyDocument=TRUST)
        self.assertEqual((r.status, r.error_code), (409, "EntityAlreadyExists"))
        self.assertEqual(r.xml.findtext("Error/Type"), "Sender")
        r = self.call("GetRole", RoleName="ghost")
        self.assertEqual((r.status, r.error_code), (404, "NoSuchEntity"))
        self.assertIn("ghost", r.xml.findtext("Error/Message"))

    def test_validation(self):
        r = self.call("CreateRole", RoleName="x")
        self.assertEqual((r.status, r.error_code), (400, "ValidationError"))
        r = self.call("CreateRole", RoleName="bad", AssumeRolePolicyDocument="{not json")
        self.assertEqual((r.status, r.error_code), (400, "MalformedPolicyDocument"))
        no_principal = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole"}]})
        r = self.call("CreateRole", RoleName="bad", AssumeRolePolicyDocument=no_principal)
        self.assertEqual((r.status, r.error_code), (400, "MalformedPolicyDocument"))
        r = self.call("CreateRole", RoleName="bad name!", AssumeRolePolicyDocument=TRUST)
        self.assertEqual((r.status, r.error_code), (400, "ValidationError"))
        r = self.call("CreateRole", RoleName="bad", AssumeRolePolicyDocument=TRUST,
                      MaxSessionDuration="60")
        self.assertEqual((r.status, r.error_code), (400, "ValidationError"))

    def test_attach_detach_and_delete_conflict(self):
        self.create("attached")
        r = self.call("AttachRolePolicy", RoleName="attached", PolicyArn=EXEC_POLICY)
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.xml.find("AttachRolePolicyResult"))
        r = self.call("ListAttachedRolePolicies", RoleName="attached")
        pols = r.xml.findall("ListAttachedRolePoliciesResult/AttachedPolicies/member")
        self.assertEqual([(p.findtext("PolicyName"), p.findtext("PolicyArn")) for p in pols],
                         [("AmazonECSTaskExecutionRolePolicy", EXEC_POLICY)])
        self.assertEqual(r.xml.findtext("ListAttachedRolePoliciesResult/IsTruncated"), "false")
        r = self.call("DeleteRole", RoleName="attached")
        self.assertEqual((r.status, r.error_code), (409, "DeleteConflict"))
        r = self.call("DetachRolePolicy", RoleName="attached", PolicyArn=EXEC_POLICY)
        self.assertEqual(r.status, 200, r)
        r = self.call("DetachRolePolicy", RoleName="attached", PolicyArn=EXEC_POLICY)
        self.assertEqual((r.status, r.error_code), (404, "NoSuchEntity"))
        self.assertEqual(self.call("DeleteRole", RoleName="attached").status, 200)
        r = self.call("GetRole", RoleName="attached")
        self.assertEqual(r.error_code, "NoSuchEntity")

    def test_policy_arns(self):
        self.create("pols")
        r = self.call("AttachRolePolicy", RoleName="pols", PolicyArn="not-an-arn")
        self.assertEqual((r.status, r.error_code), (400, "InvalidInput"))
        r = self.call("AttachRolePolicy", RoleName="pols",
                      PolicyArn="arn:aws:iam::123456789012:policy/never-created")
        self.assertEqual((r.status, r.error_code), (404, "NoSuchEntity"))
        r = self.call("AttachRolePolicy", RoleName="ghost", PolicyArn=EXEC_POLICY)
        self.assertEqual((r.status, r.error_code), (404, "NoSuchEntity"))

    def test_update_assume_role_policy(self):
        self.create("trust")
        new = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
            "Action": ["sts:AssumeRole"]}]})
        r = self.call("UpdateAssumeRolePolicy", RoleName="trust", PolicyDocument=new)
        self.assertEqual(r.status, 200, r)
        got = self.call("GetRole", RoleName="trust").xml.findtext(
            "GetRoleResult/Role/AssumeRolePolicyDocument")
        self.assertEqual(json.loads(urllib.parse.unquote(got)), json.loads(new))
        r = self.call("UpdateAssumeRolePolicy", RoleName="trust", PolicyDocument="[]")
        self.assertEqual(r.error_code, "MalformedPolicyDocument")

    def test_account_id_principal_is_stored_as_root_arn(self):
        def trust(aws):
            return json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": aws}, "Action": "sts:AssumeRole"}]})

        def stored(name):
            got = self.call("GetRole", RoleName=name).xml.findtext(
                "GetRoleResult/Role/AssumeRolePolicyDocument")
            return json.loads(urllib.parse.unquote(got))["Statement"][0]["Principal"]["AWS"]

        r = self.call("CreateRole", RoleName="cross", AssumeRolePolicyDocument=trust("111122223333"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(stored("cross"), "arn:aws:iam::111122223333:root")
        ci = "arn:aws:iam::111122223333:role/ci"
        r = self.call("UpdateAssumeRolePolicy", RoleName="cross",
                      PolicyDocument=trust(["444455556666", ci]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(stored("cross"), ["arn:aws:iam::444455556666:root", ci])

    def test_tags(self):
        self.create("tagged")
        r = self.call("TagRole", RoleName="tagged",
                      Tags={"member": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]})
        self.assertEqual(r.status, 200, r)
        r = self.call("UntagRole", RoleName="tagged", TagKeys={"member": ["a"]})
        self.assertEqual(r.status, 200, r)
        r = self.call("ListRoleTags", RoleName="tagged")
        self.assertEqual([(t.findtext("Key"), t.findtext("Value"))
                          for t in r.xml.findall("ListRoleTagsResult/Tags/member")], [("b", "2")])
        r = self.call("TagRole", RoleName="ghost", Tags={"member": [{"Key": "a", "Value": "1"}]})
        self.assertEqual(r.error_code, "NoSuchEntity")

    def test_inventory_lists_roles_and_attachments(self):
        self.create("inv")
        self.call("AttachRolePolicy", RoleName="inv", PolicyArn=EXEC_POLICY)
        _, inv = self.emu.admin("GET", "inventory")
        self.assertIn("inv", [r["id"] for r in inv["iam"]["role"]])
        self.assertIn("inv/" + EXEC_POLICY, [a["id"] for a in inv["iam"]["role_policy_attachment"]])


if __name__ == "__main__":
    unittest.main()
