"""boto3 against a spawned emulator for the services an ECS team adds in its first week:
Route 53 (zones public and private, record sets simple/alias/weighted/failover, changes),
ACM (DNS validation answered by the emulator's Route 53), Secrets Manager, SSM Parameter
Store, KMS (keys, aliases, data keys) and IAM managed and inline policies. Every response is
checked against the AWS model (Boto3Case records members the model lacks)."""

import json
import unittest

import testclient as tc
from test_boto3 import Boto3Case, boto3

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


@unittest.skipIf(boto3 is None, "boto3 is not installed (Debian package python3-boto3)")
class PlatformTest(Boto3Case, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.proc.admin("POST", "reset")

    def zone(self, r53, name="example.com", **kw):
        return r53.create_hosted_zone(Name=name, CallerReference=name + str(len(kw)),
                                      **kw)["HostedZone"]["Id"]

    def rrset(self, name, rtype="A", values=("10.0.0.1",), ttl=60, **kw):
        out = {"Name": name, "Type": rtype, **kw}
        if "AliasTarget" not in kw:
            out.update(TTL=ttl, ResourceRecords=[{"Value": v} for v in values])
        return out

    def change(self, r53, zone, *changes):
        return r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={
            "Changes": [{"Action": a, "ResourceRecordSet": rr} for a, rr in changes]})

    def test_route53_zones_and_records(self):
        r53 = self.client("route53")
        zid = self.zone(r53)
        self.assertRegex(zid, r"^/hostedzone/Z[A-Z0-9]+$")
        z = r53.get_hosted_zone(Id=zid)
        self.assertEqual(z["HostedZone"]["Name"], "example.com.")
        self.assertEqual(len(z["DelegationSet"]["NameServers"]), 4)
        self.assertCode("HostedZoneAlreadyExists", r53.create_hosted_zone, Name="example.com",
                        CallerReference="example.com0")
        ch = self.change(r53, zid, ("CREATE", self.rrset("www.example.com")))
        self.assertEqual(ch["ChangeInfo"]["Status"], "PENDING")
        self.assertEqual(r53.get_change(Id=ch["ChangeInfo"]["Id"])["ChangeInfo"]["Status"],
                         "INSYNC")
        # CREATE of an existing set and DELETE with other values reject the whole batch
        self.assertCode("InvalidChangeBatch", self.change, r53, zid,
                        ("CREATE", self.rrset("api.example.com")),
                        ("CREATE", self.rrset("www.example.com")))
        self.assertCode("InvalidChangeBatch", self.change, r53, zid,
                        ("DELETE", self.rrset("www.example.com", values=("10.9.9.9",))))
        self.assertCode("InvalidChangeBatch", self.change, r53, zid,
                        ("CREATE", self.rrset("www.example.com", "CNAME", ("x.example.net",))))
        self.assertCode("InvalidChangeBatch", self.change, r53, zid,
                        ("CREATE", self.rrset("www.other.org")))
        self.change(r53, zid, ("UPSERT", self.rrset("www.example.com", values=("10.0.0.2",))))
        # alias to a load balancer, weighted and failover sets with SetIdentifier
        alias = {"HostedZoneId": "ZWKZPGTI48KDX", "DNSName": "web-1.elb.amazonaws.com",
                 "EvaluateTargetHealth": True}
        self.change(r53, zid, ("CREATE", self.rrset("example.com", AliasTarget=alias)),
                    ("CREATE", self.rrset("app.example.com", SetIdentifier="blue", Weight=90)),
                    ("CREATE", self.rrset("app.example.com", values=("10.0.0.9",),
                                          SetIdentifier="green", Weight=10)),
                    ("CREATE", self.rrset("db.example.com", SetIdentifier="p",
                                          Failover="PRIMARY")))
        self.assertCode("InvalidInput", self.change, r53, zid,
                        ("CREATE", self.rrset("x.example.com", SetIdentifier="a")))
        self.assertCode("InvalidChangeBatch", self.change, r53, zid,
                        ("CREATE", self.rrset("app.example.com")))
        sets = r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]
        self.assertEqual([(s["Name"], s["Type"], s.get("SetIdentifier")) for s in sets], [
            ("example.com.", "A", None), ("example.com.", "NS", None),
            ("example.com.", "SOA", None), ("app.example.com.", "A", "blue"),
            ("app.example.com.", "A", "green"), ("db.example.com.", "A", "p"),
            ("www.example.com.", "A", None)])
        self.assertEqual(sets[0]["AliasTarget"]["DNSName"], "web-1.elb.amazonaws.com.")
        self.assertEqual(sets[4]["Weight"], 10)
        page = r53.list_resource_record_sets(HostedZoneId=zid, StartRecordName="app.example.com",
                                             StartRecordType="A", MaxItems="1")
        self.assertEqual((page["IsTruncated"], page["NextRecordIdentifier"]), (True, "green"))
        self.assertCode("HostedZoneNotEmpty", r53.delete_hosted_zone, Id=zid)
        r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid.split("/")[-1],
                                     AddTags=[{"Key": "team", "Value": "web"}])
        tags = r53.list_tags_for_resource(ResourceType="hostedzone",
                                          ResourceId=zid.split("/")[-1])
        self.assertEqual(tags["ResourceTagSet"]["Tags"], [{"Key": "team", "Value": "web"}])
        self.change(r53, zid, *[("DELETE", {k: v for k, v in s.items()})
                                for s in sets if s["Type"] == "A"])
        r53.delete_hosted_zone(Id=zid)
        self.assertCode("NoSuchHostedZone", r53.get_hosted_zone, Id=zid)

    def test_route53_private_zone(self):
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        r53 = self.client("route53")
        self.assertCode("InvalidVPCId", r53.create_hosted_zone, Name="internal",
                        CallerReference="x", VPC={"VPCRegion": "ap-northeast-2",
                                                  "VPCId": "vpc-0000"},
                        HostedZoneConfig={"PrivateZone": True})
        zid = self.zone(r53, "internal", VPC={"VPCRegion": "ap-northeast-2", "VPCId": vpc},
                        HostedZoneConfig={"PrivateZone": True, "Comment": "svc"})
        z = r53.get_hosted_zone(Id=zid)
        self.assertTrue(z["HostedZone"]["Config"]["PrivateZone"])
        self.assertEqual(z["VPCs"], [{"VPCRegion": "ap-northeast-2", "VPCId": vpc}])
        byname = r53.list_hosted_zones_by_name(DNSName="internal")["HostedZones"]
        self.assertEqual(byname[0]["Id"], zid)

    def test_acm_dns_validation(self):
        acm, r53 = self.client("acm"), self.client("route53")
        arn = acm.request_certificate(DomainName="example.com", ValidationMethod="DNS",
                                      SubjectAlternativeNames=["*.example.com"],
                                      Tags=[{"Key": "team", "Value": "web"}])["CertificateArn"]
        cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        self.assertEqual(cert["Status"], "PENDING_VALIDATION")
        self.assertEqual(cert["SubjectAlternativeNames"], ["example.com", "*.example.com"])
        records = {(o["ResourceRecord"]["Name"], o["ResourceRecord"]["Value"])
                   for o in cert["DomainValidationOptions"]}
        self.assertEqual(len(records), 1)   # the wildcard validates with the apex's record
        name, value = records.pop()
        self.assertTrue(name.endswith(".example.com."))
        zid = self.zone(r53)
        self.change(r53, zid, ("CREATE", self.rrset(name, "CNAME", ("wrong.acm-validations.aws",))))
        self.assertEqual(acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"],
                         "PENDING_VALIDATION")
        self.change(r53, zid, ("UPSERT", self.rrset(name, "CNAME", (value,))))
        cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        self.assertEqual(cert["Status"], "ISSUED")
        self.assertEqual({o["ValidationStatus"] for o in cert["DomainValidationOptions"]},
                         {"SUCCESS"})
        acm.get_waiter("certificate_validated").wait(CertificateArn=arn)
        summary = acm.list_certificates(CertificateStatuses=["ISSUED"])["CertificateSummaryList"]
        self.assertEqual([c["CertificateArn"] for c in summary], [arn])
        self.assertEqual(acm.list_tags_for_certificate(CertificateArn=arn)["Tags"],
                         [{"Key": "team", "Value": "web"}])
        acm.delete_certificate(CertificateArn=arn)
        self.assertCode("ResourceNotFoundException", acm.describe_certificate, CertificateArn=arn)

    def test_secrets_manager(self):
        sm = self.client("secretsmanager")
        out = sm.create_secret(Name="app/db", SecretString="s3cret", Description="db",
                               Tags=[{"Key": "team", "Value": "web"}])
        self.assertRegex(out["ARN"], r":secret:app/db-[A-Za-z0-9]{6}$")
        self.assertCode("ResourceExistsException", sm.create_secret, Name="app/db")
        v1 = out["VersionId"]
        v2 = sm.put_secret_value(SecretId="app/db", SecretString="n3w",
                                 ClientRequestToken="t" * 32)["VersionId"]
        self.assertEqual(sm.get_secret_value(SecretId=out["ARN"])["SecretString"], "n3w")
        self.assertEqual(sm.get_secret_value(SecretId="app/db", VersionStage="AWSPREVIOUS")
                         ["SecretString"], "s3cret")
        d = sm.describe_secret(SecretId="app/db")
        self.assertEqual(d["VersionIdsToStages"], {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"]})
        self.assertCode("ResourceExistsException", sm.put_secret_value, SecretId="app/db",
                        SecretString="other", ClientRequestToken="t" * 32)
        sm.update_secret(SecretId="app/db", Description="database")
        sm.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
        self.assertCode("InvalidRequestException", sm.get_secret_value, SecretId="app/db")
        self.assertCode("InvalidRequestException", sm.create_secret, Name="app/db")
        self.assertIn("DeletedDate", sm.describe_secret(SecretId="app/db"))
        sm.restore_secret(SecretId="app/db")
        sm.delete_secret(SecretId="app/db", ForceDeleteWithoutRecovery=True)
        self.assertCode("ResourceNotFoundException", sm.describe_secret, SecretId="app/db")

    def test_ssm_parameters(self):
        ssm = self.client("ssm")
        self.assertEqual(ssm.put_parameter(Name="/app/url", Value="http://x", Type="String",
                                           Tags=[{"Key": "team", "Value": "web"}])["Version"], 1)
        ssm.put_parameter(Name="/app/hosts", Value="a,b", Type="StringList")
        ssm.put_parameter(Name="/app/token", Value="t0ken", Type="SecureString")
        self.assertCode("ParameterAlreadyExists", ssm.put_parameter, Name="/app/url",
                        Value="y", Type="String")
        self.assertCode("ValidationException", ssm.put_parameter, Name="/app/url", Value="y",
                        Type="String", Overwrite=True, Tags=[{"Key": "a", "Value": "b"}])
        self.assertEqual(ssm.put_parameter(Name="/app/url", Value="http://y", Overwrite=True)
                         ["Version"], 2)
        hidden = ssm.get_parameter(Name="/app/token")["Parameter"]
        self.assertNotEqual(hidden["Value"], "t0ken")
        self.assertEqual(ssm.get_parameter(Name="/app/token", WithDecryption=True)
                         ["Parameter"]["Value"], "t0ken")
        got = ssm.get_parameters(Names=["/app/url", "/app/none"])
        self.assertEqual(([p["Value"] for p in got["Parameters"]], got["InvalidParameters"]),
                         (["http://y"], ["/app/none"]))
        meta = ssm.describe_parameters(ParameterFilters=[
            {"Key": "Name", "Option": "Equals", "Values": ["/app/token"]}])["Parameters"]
        self.assertEqual([(m["Type"], m["KeyId"]) for m in meta],
                         [("SecureString", "alias/aws/ssm")])
        self.assertEqual(ssm.list_tags_for_resource(ResourceType="Parameter",
                                                    ResourceId="/app/url")["TagList"],
                         [{"Key": "team", "Value": "web"}])
        ssm.delete_parameter(Name="/app/url")
        self.assertCode("ParameterNotFound", ssm.get_parameter, Name="/app/url")

    def test_kms(self):
        kms = self.client("kms")
        key = kms.create_key(Description="state", Tags=[{"TagKey": "t", "TagValue": "v"}])[
            "KeyMetadata"]
        self.assertEqual((key["KeyState"], key["KeySpec"]), ("Enabled", "SYMMETRIC_DEFAULT"))
        kms.create_alias(AliasName="alias/state", TargetKeyId=key["KeyId"])
        self.assertCode("AlreadyExistsException", kms.create_alias, AliasName="alias/state",
                        TargetKeyId=key["KeyId"])
        self.assertEqual(kms.describe_key(KeyId="alias/state")["KeyMetadata"]["Arn"], key["Arn"])
        dk = kms.generate_data_key(KeyId="alias/state", KeySpec="AES_256",
                                   EncryptionContext={"state": "main"})
        self.assertEqual(len(dk["Plaintext"]), 32)
        back = kms.decrypt(CiphertextBlob=dk["CiphertextBlob"], EncryptionContext={"state": "main"})
        self.assertEqual((back["Plaintext"], back["KeyId"]), (dk["Plaintext"], key["Arn"]))
        self.assertCode("InvalidCiphertextException", kms.decrypt,
                        CiphertextBlob=dk["CiphertextBlob"])
        kms.enable_key_rotation(KeyId=key["KeyId"])
        self.assertTrue(kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"])
        kms.disable_key(KeyId=key["KeyId"])
        self.assertCode("DisabledException", kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x")
        self.assertEqual([a["AliasName"] for a in kms.list_aliases(KeyId=key["KeyId"])["Aliases"]],
                         ["alias/state"])
        out = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        self.assertEqual(out["KeyState"], "PendingDeletion")
        self.assertCode("KMSInvalidStateException", kms.enable_key, KeyId=key["KeyId"])
        kms.cancel_key_deletion(KeyId=key["KeyId"])
        self.assertEqual(kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"],
                         "Disabled")
        self.assertCode("NotFoundException", kms.describe_key, KeyId="alias/none")

    def test_kms_policy_deny(self):
        kms = self.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        dk = kms.generate_data_key(KeyId=key, KeySpec="AES_256")
        kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"},
                {"Effect": "Deny", "Principal": "*", "Action": ["kms:Decrypt"], "Resource": "*"}]}))
        self.assertCode("AccessDeniedException", kms.decrypt, CiphertextBlob=dk["CiphertextBlob"])
        self.assertEqual(len(kms.generate_data_key(KeyId=key, KeySpec="AES_256")["Plaintext"]), 32)
        kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Effect": "Deny", "Principal": "*", "Action": "kms:Generate*", "Resource": "*"}]}))
        self.assertEqual(kms.decrypt(CiphertextBlob=dk["CiphertextBlob"])["Plaintext"],
                         dk["Plaintext"])
        self.assertCode("AccessDeniedException", kms.generate_data_key, KeyId=key,
                        KeySpec="AES_256")

    def test_iam_policies(self):
        iam = self.client("iam", region_name="us-east-1")
        pol = iam.create_policy(PolicyName="read", PolicyDocument=POLICY, Path="/app/",
                                Description="reads")["Policy"]
        self.assertEqual(pol["Arn"], "arn:aws:iam::123456789012:policy/app/read")
        self.assertCode("MalformedPolicyDocument", iam.create_policy, PolicyName="bad",
                        PolicyDocument=TRUST)
        v2 = iam.create_policy_version(PolicyArn=pol["Arn"], PolicyDocument=POLICY.replace(
            "GetObject", "PutObject"), SetAsDefault=True)["PolicyVersion"]
        self.assertEqual(v2["VersionId"], "v2")
        got = iam.get_policy_version(PolicyArn=pol["Arn"], VersionId="v2")["PolicyVersion"]
        self.assertIn("s3:PutObject", json.dumps(got["Document"]))
        self.assertCode("DeleteConflict", iam.delete_policy_version, PolicyArn=pol["Arn"],
                        VersionId="v2")
        iam.create_role(RoleName="task", AssumeRolePolicyDocument=TRUST)
        iam.attach_role_policy(RoleName="task", PolicyArn=pol["Arn"])
        self.assertEqual(iam.get_policy(PolicyArn=pol["Arn"])["Policy"]["AttachmentCount"], 1)
        self.assertCode("DeleteConflict", iam.delete_policy, PolicyArn=pol["Arn"])
        iam.put_role_policy(RoleName="task", PolicyName="inline", PolicyDocument=POLICY)
        self.assertEqual(iam.list_role_policies(RoleName="task")["PolicyNames"], ["inline"])
        inline = iam.get_role_policy(RoleName="task", PolicyName="inline")
        self.assertEqual(inline["PolicyDocument"], json.loads(POLICY))
        self.assertCode("DeleteConflict", iam.delete_role, RoleName="task")
        iam.delete_role_policy(RoleName="task", PolicyName="inline")
        self.assertCode("NoSuchEntity", iam.get_role_policy, RoleName="task", PolicyName="inline")
        iam.detach_role_policy(RoleName="task", PolicyArn=pol["Arn"])
        self.assertCode("DeleteConflict", iam.delete_policy, PolicyArn=pol["Arn"])
        iam.delete_policy_version(PolicyArn=pol["Arn"], VersionId="v1")
        iam.delete_policy(PolicyArn=pol["Arn"])
        self.assertCode("NoSuchEntity", iam.get_policy, PolicyArn=pol["Arn"])


if __name__ == "__main__":
    unittest.main()
