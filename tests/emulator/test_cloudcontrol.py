"""Cloud Control (cloudcontrolapi) with boto3's `cloudcontrol` client against a spawned
emulator: each of the five types made, read, listed, patched and deleted through it and
seen through its own service's API; requests IN_PROGRESS then SUCCESS or FAILED (with the
owning service's message); client token idempotency; ListResourceRequests filters;
TypeNotFoundException; the patch in the request log. Also the RFC 6902 patcher on its own
(examples of RFC 6902 appendix A). Skipped when boto3 is not importable, as test_boto3."""

import json
import os
import sys
import unittest

import testclient as tc

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:          # pragma: no cover - depends on the machine
    boto3 = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulator.services._json_patch import PatchError, apply as apply_patch  # noqa: E402

REGION = "us-east-1"
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


class JsonPatchTest(unittest.TestCase):
    def test_rfc6902_examples(self):
        self.assertEqual(apply_patch({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}]),
                         {"foo": "bar", "baz": "qux"})
        self.assertEqual(apply_patch({"foo": ["bar", "baz"]},
                                     [{"op": "add", "path": "/foo/1", "value": "qux"}]),
                         {"foo": ["bar", "qux", "baz"]})
        self.assertEqual(apply_patch({"foo": ["bar", "qux", "baz"]},
                                     [{"op": "remove", "path": "/foo/1"}]), {"foo": ["bar", "baz"]})
        self.assertEqual(apply_patch({"baz": "qux", "foo": "bar"},
                                     [{"op": "replace", "path": "/baz", "value": "boo"}]),
                         {"baz": "boo", "foo": "bar"})
        self.assertEqual(apply_patch({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
                                     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}]),
                         {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}})
        self.assertEqual(apply_patch({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": "x"}]),
                         {"foo": ["bar", "x"]})
        self.assertEqual(apply_patch({"a/b": 1, "m~n": 2},
                                     [{"op": "replace", "path": "/a~1b", "value": 3},
                                      {"op": "remove", "path": "/m~0n"}]), {"a/b": 3})

    def test_errors_leave_the_document_alone(self):
        doc = {"foo": "bar"}
        for patch in ([{"op": "remove", "path": "/baz"}],
                      [{"op": "add", "path": "/baz/bat", "value": "qux"}],
                      [{"op": "test", "path": "/foo", "value": "other"}],
                      [{"op": "replace", "path": "/nope", "value": 1}],
                      [{"op": "jump", "path": "/foo"}],
                      {"op": "add"}):
            with self.assertRaises(PatchError):
                apply_patch(doc, patch)
        self.assertEqual(doc, {"foo": "bar"})


@unittest.skipIf(boto3 is None, "boto3 is not installed (Debian package python3-boto3)")
class CloudControlTest(unittest.TestCase):
    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.proc = tc.spawn_server(*cls.server_args)
        keys = cls.proc.credentials()
        cls.saved_env = dict(os.environ)
        for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            os.environ.pop(var, None)
        os.environ["AWS_CONFIG_FILE"] = os.devnull
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        cls.session = boto3.session.Session(aws_access_key_id=keys[0],
                                            aws_secret_access_key=keys[1], region_name=REGION)

    @classmethod
    def tearDownClass(cls):
        cls.proc.stop()
        os.environ.clear()
        os.environ.update(cls.saved_env)

    def setUp(self):
        self.proc.admin("POST", "reset")
        self.proc.admin("POST", "requests/clear")
        self.cc = self.client("cloudcontrol")

    def client(self, service):
        cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
        c = self.session.client(service, endpoint_url=self.proc.url, config=cfg)
        self.addCleanup(c.close)
        return c

    def assertCode(self, code, fn, *args, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response["Error"]["Message"]

    def finish(self, event):
        """The request's status after the one in its first answer (IN_PROGRESS)."""
        self.assertEqual(event["OperationStatus"], "IN_PROGRESS")
        return self.cc.get_resource_request_status(
            RequestToken=event["RequestToken"])["ProgressEvent"]

    def create(self, type_name, state, **kw):
        ev = self.cc.create_resource(TypeName=type_name, DesiredState=json.dumps(state), **kw)
        return self.finish(ev["ProgressEvent"])

    def properties(self, type_name, ident):
        got = self.cc.get_resource(TypeName=type_name, Identifier=ident)
        self.assertEqual(got["ResourceDescription"]["Identifier"], ident)
        return json.loads(got["ResourceDescription"]["Properties"])

    def patch(self, type_name, ident, ops):
        ev = self.cc.update_resource(TypeName=type_name, Identifier=ident,
                                     PatchDocument=json.dumps(ops))
        return self.finish(ev["ProgressEvent"])

    def delete(self, type_name, ident):
        ev = self.cc.delete_resource(TypeName=type_name, Identifier=ident)
        return self.finish(ev["ProgressEvent"])

    def test_queue_through_cloud_control_is_an_sqs_queue(self):
        ev = self.create("AWS::SQS::Queue", {"QueueName": "orders", "VisibilityTimeout": 45,
                                             "Tags": [{"Key": "team", "Value": "a"}]})
        self.assertEqual(ev["OperationStatus"], "SUCCESS", ev)
        self.assertEqual((ev["Operation"], ev["TypeName"]), ("CREATE", "AWS::SQS::Queue"))
        url = ev["Identifier"]
        sqs = self.client("sqs")
        self.assertEqual(sqs.get_queue_url(QueueName="orders")["QueueUrl"], url)
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        props = self.properties("AWS::SQS::Queue", url)
        self.assertEqual(props["VisibilityTimeout"], 45)      # an integer, as CloudFormation's
        self.assertEqual(props["QueueName"], "orders")
        self.assertEqual(props["Arn"], attrs["QueueArn"])
        self.assertEqual(props["Tags"], [{"Key": "team", "Value": "a"}])
        listed = self.cc.list_resources(TypeName="AWS::SQS::Queue")["ResourceDescriptions"]
        self.assertEqual([d["Identifier"] for d in listed], [url])

    def test_each_type_round_trips(self):
        cases = [
            ("AWS::Logs::LogGroup", {"LogGroupName": "/app/web", "RetentionInDays": 7},
             "/app/web", {"op": "replace", "path": "/RetentionInDays", "value": 30},
             lambda: self.client("logs").describe_log_groups(logGroupNamePrefix="/app/web")[
                 "logGroups"][0].get("retentionInDays")),
            ("AWS::SNS::Topic", {"TopicName": "events", "DisplayName": "Events"},
             "arn:aws:sns:us-east-1:123456789012:events",
             {"op": "replace", "path": "/DisplayName", "value": "All events"},
             lambda: self.client("sns").get_topic_attributes(
                 TopicArn="arn:aws:sns:us-east-1:123456789012:events")["Attributes"]["DisplayName"]),
            ("AWS::ECR::Repository", {"RepositoryName": "team/app"}, "team/app",
             {"op": "add", "path": "/ImageTagMutability", "value": "IMMUTABLE"},
             lambda: self.client("ecr").describe_repositories(repositoryNames=["team/app"])[
                 "repositories"][0]["imageTagMutability"]),
            ("AWS::IAM::Role", {"RoleName": "task", "AssumeRolePolicyDocument": TRUST},
             "task", {"op": "add", "path": "/Description", "value": "runs tasks"},
             lambda: self.client("iam").get_role(RoleName="task")["Role"]["Description"]),
        ]
        for type_name, state, ident, op, native in cases:
            with self.subTest(type_name):
                ev = self.create(type_name, state)
                self.assertEqual((ev["OperationStatus"], ev["Identifier"]), ("SUCCESS", ident), ev)
                props = self.properties(type_name, ident)
                for k, v in state.items():
                    self.assertEqual(props[k], v)
                ev = self.patch(type_name, ident, [op])
                self.assertEqual(ev["OperationStatus"], "SUCCESS", ev)
                self.assertEqual(native(), op["value"])
                self.assertEqual(self.properties(type_name, ident)[op["path"][1:]], op["value"])
                self.assertEqual(self.delete(type_name, ident)["OperationStatus"], "SUCCESS")
                self.assertCode("ResourceNotFoundException", self.cc.get_resource,
                                TypeName=type_name, Identifier=ident)
        inv = self.proc.admin("GET", "inventory")[1]
        self.assertEqual([inv["logs"]["log_group"], inv["sns"]["topic"],
                          inv["ecr"]["repository"], inv["iam"]["role"]], [[], [], [], []])

    def test_patch_arrays_by_index_and_removals(self):
        url = self.create("AWS::SQS::Queue", {
            "QueueName": "q", "DelaySeconds": 5,
            "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]})["Identifier"]
        ops = [{"op": "replace", "path": "/Tags/1/Value", "value": "3"},
               {"op": "add", "path": "/Tags/2", "value": {"Key": "c", "Value": "4"}},
               {"op": "remove", "path": "/Tags/0"},
               {"op": "remove", "path": "/DelaySeconds"}]
        self.assertEqual(self.patch("AWS::SQS::Queue", url, ops)["OperationStatus"], "SUCCESS")
        self.assertEqual(self.client("sqs").list_queue_tags(QueueUrl=url)["Tags"],
                         {"b": "3", "c": "4"})
        self.assertEqual(self.properties("AWS::SQS::Queue", url)["DelaySeconds"], 0)
        # the request log shows the patch as it was sent
        log = self.proc.admin("GET", "requests")[1]["requests"]
        updates = [e for e in log if e["action"] == "UpdateResource"]
        self.assertEqual(len(updates), 1)
        self.assertEqual(updates[0]["detail"]["Identifier"], url)
        self.assertEqual(json.loads(updates[0]["detail"]["PatchDocument"]), ops)

    def test_create_only_and_read_only_properties_are_not_updatable(self):
        url = self.create("AWS::SQS::Queue", {"QueueName": "q"})["Identifier"]
        for path in ("/QueueName", "/Arn"):
            ev = self.patch("AWS::SQS::Queue", url, [{"op": "replace", "path": path, "value": "x"}])
            self.assertEqual((ev["OperationStatus"], ev["ErrorCode"]), ("FAILED", "NotUpdatable"))
            self.assertIn(path[1:], ev["StatusMessage"])
        ev = self.patch("AWS::SQS::Queue", url, [{"op": "remove", "path": "/Nope"}])
        self.assertEqual((ev["OperationStatus"], ev["ErrorCode"]), ("FAILED", "InvalidRequest"))
        self.assertEqual(self.properties("AWS::SQS::Queue", url)["QueueName"], "q")

    def test_a_failed_create_carries_the_services_message_and_makes_nothing(self):
        ev = self.create("AWS::SQS::Queue", {"QueueName": "q", "VisibilityTimeout": 99999})
        self.assertEqual((ev["OperationStatus"], ev["ErrorCode"]), ("FAILED", "InvalidRequest"))
        self.assertIn("VisibilityTimeout", ev["StatusMessage"])
        self.create("AWS::Logs::LogGroup", {"LogGroupName": "g"})
        ev = self.create("AWS::Logs::LogGroup", {"LogGroupName": "g"})
        self.assertEqual((ev["OperationStatus"], ev["ErrorCode"]), ("FAILED", "AlreadyExists"))
        self.assertEqual(self.proc.admin("GET", "inventory")[1]["sqs"]["queue"], [])

    def test_client_token_answers_the_first_request(self):
        state = json.dumps({"QueueName": "once"})
        first = self.cc.create_resource(TypeName="AWS::SQS::Queue", DesiredState=state,
                                        ClientToken="tok-1")["ProgressEvent"]
        again = self.cc.create_resource(TypeName="AWS::SQS::Queue", DesiredState=state,
                                        ClientToken="tok-1")["ProgressEvent"]
        self.assertEqual(again["RequestToken"], first["RequestToken"])
        self.assertEqual(len(self.proc.admin("GET", "inventory")[1]["sqs"]["queue"]), 1)
        self.assertCode("ClientTokenConflictException", self.cc.create_resource,
                        TypeName="AWS::SQS::Queue", DesiredState=json.dumps({"QueueName": "other"}),
                        ClientToken="tok-1")

    def test_list_resource_requests_filters(self):
        url = self.create("AWS::SQS::Queue", {"QueueName": "q"})["Identifier"]
        self.create("AWS::SQS::Queue", {"QueueName": "q", "DelaySeconds": 9999})
        self.delete("AWS::SQS::Queue", url)
        def listed(**f):
            out = self.cc.list_resource_requests(ResourceRequestStatusFilter=f)
            return [(e["Operation"], e["OperationStatus"]) for e in out["ResourceRequestStatusSummaries"]]
        self.assertEqual(listed(Operations=["CREATE"]), [("CREATE", "SUCCESS"), ("CREATE", "FAILED")])
        self.assertEqual(listed(OperationStatuses=["FAILED"]), [("CREATE", "FAILED")])
        self.assertEqual(listed(Operations=["DELETE"], OperationStatuses=["SUCCESS"]),
                         [("DELETE", "SUCCESS")])

    def test_unknown_types_and_missing_objects(self):
        msg = self.assertCode("TypeNotFoundException", self.cc.create_resource,
                              TypeName="AWS::Nope::Thing", DesiredState="{}")
        self.assertIn("AWS::Nope::Thing", msg)
        self.assertCode("TypeNotFoundException", self.cc.list_resources, TypeName="AWS::Nope::Thing")
        self.assertCode("TypeNotFoundException", self.cc.get_resource, TypeName="AWS::Nope::Thing",
                        Identifier="x")
        self.assertCode("ResourceNotFoundException", self.cc.get_resource,
                        TypeName="AWS::IAM::Role", Identifier="nobody")
        ev = self.delete("AWS::IAM::Role", "nobody")
        self.assertEqual((ev["OperationStatus"], ev["ErrorCode"]), ("FAILED", "NotFound"))
        self.assertCode("RequestTokenNotFoundException", self.cc.get_resource_request_status,
                        RequestToken="00000000-0000-0000-0000-000000000000")
        self.assertEqual(self.proc.admin("GET", "requests")[1]["requests"][0]["status"], 400)


@unittest.skipIf(boto3 is None, "boto3 is not installed (Debian package python3-boto3)")
class CloudControlDelayTest(CloudControlTest):
    """--cloudcontrol-delay-ms: IN_PROGRESS until the emulator clock passes it."""
    server_args = ("--cloudcontrol-delay-ms", "60000")

    def finish(self, event):
        self.assertEqual(event["OperationStatus"], "IN_PROGRESS")
        token = event["RequestToken"]
        waiting = self.cc.get_resource_request_status(RequestToken=token)["ProgressEvent"]
        self.assertEqual(waiting["OperationStatus"], "IN_PROGRESS")
        self.proc.admin("POST", "clock", {"advance": 61})
        return self.cc.get_resource_request_status(RequestToken=token)["ProgressEvent"]


if __name__ == "__main__":
    unittest.main()
