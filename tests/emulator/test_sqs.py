"""SQS over HTTP in both wire forms: json 1.0 (X-Amz-Target AmazonSQS.*, errors with
com.amazonaws.sqs# types and x-amzn-query-error) and the query form (Action=..., ErrorResponse
with the legacy AWS.SimpleQueueService codes). Attributes, ranges, tags, pagination, messages."""
import json
import unittest

import testclient as tc

URL = "https://sqs.ap-northeast-2.amazonaws.com/123456789012/"


class SqsJsonTest(tc.EmulatorCase):
    def call(self, action, **body):
        return self.c.call_json("sqs", "AmazonSQS." + action, body, json_version="1.0")

    def create(self, name, **attributes):
        r = self.call("CreateQueue", QueueName=name, Attributes=attributes)
        self.assertEqual(r.status, 200, r)
        return r.json["QueueUrl"]

    def test_create_and_attributes(self):
        url = self.create("jq", VisibilityTimeout="15", MessageRetentionPeriod="600")
        self.assertEqual(url, URL + "jq")
        r = self.call("GetQueueAttributes", QueueUrl=url, AttributeNames=["All"])
        self.assertEqual(r.headers["content-type"], "application/x-amz-json-1.0")
        a = r.json["Attributes"]
        self.assertEqual(a["QueueArn"], "arn:aws:sqs:ap-northeast-2:123456789012:jq")
        self.assertEqual((a["VisibilityTimeout"], a["MessageRetentionPeriod"], a["DelaySeconds"],
                          a["ReceiveMessageWaitTimeSeconds"], a["MaximumMessageSize"]),
                         ("15", "600", "0", "0", "1048576"))
        self.assertEqual(a["ApproximateNumberOfMessages"], "0")
        self.assertRegex(a["CreatedTimestamp"], r"^\d{10}$")
        self.assertTrue(all(isinstance(v, str) for v in a.values()))
        r = self.call("GetQueueAttributes", QueueUrl=url, AttributeNames=["VisibilityTimeout"])
        self.assertEqual(r.json["Attributes"], {"VisibilityTimeout": "15"})
        self.assertEqual(self.call("GetQueueUrl", QueueName="jq").json["QueueUrl"], url)

    def test_same_attributes_is_idempotent_and_different_conflicts(self):
        url = self.create("idem", VisibilityTimeout="15")
        self.assertEqual(self.create("idem", VisibilityTimeout="15"), url)
        self.assertEqual(self.create("idem"), url)
        r = self.call("CreateQueue", QueueName="idem", Attributes={"VisibilityTimeout": "16"})
        self.assertEqual((r.status, r.error_code), (400, "QueueNameExists"))
        self.assertEqual(r.json["__type"], "com.amazonaws.sqs#QueueNameExists")
        self.assertEqual(r.headers["x-amzn-query-error"], "QueueAlreadyExists;Sender")

    def test_missing_queue(self):
        r = self.call("GetQueueUrl", QueueName="ghost")
        self.assertEqual((r.status, r.error_code), (400, "QueueDoesNotExist"))
        self.assertEqual(r.headers["x-amzn-query-error"],
                         "AWS.SimpleQueueService.NonExistentQueue;Sender")
        r = self.call("GetQueueAttributes", QueueUrl=URL + "ghost", AttributeNames=["All"])
        self.assertEqual(r.error_code, "QueueDoesNotExist")
        r = self.call("CreateQueue")
        self.assertEqual((r.status, r.error_code), (400, "MissingParameter"))

    def test_attribute_ranges(self):
        for i, (name, bad, good) in enumerate((("VisibilityTimeout", "43201", "43200"),
                                ("MessageRetentionPeriod", "59", "60"),
                                ("MessageRetentionPeriod", "1209601", "1209600"),
                                ("DelaySeconds", "901", "900"),
                                ("ReceiveMessageWaitTimeSeconds", "21", "20"),
                                ("MaximumMessageSize", "1023", "1024"),
                                ("MaximumMessageSize", "1048577", "1048576"),
                                ("VisibilityTimeout", "ten", "10"))):
            r = self.call("CreateQueue", QueueName="range", Attributes={name: bad})
            self.assertEqual((r.status, r.error_code), (400, "InvalidAttributeValue"), (name, bad))
            url = self.create("range-%d" % i, **{name: good})
            self.call("DeleteQueue", QueueUrl=url)
        r = self.call("CreateQueue", QueueName="range", Attributes={"Colour": "blue"})
        self.assertEqual(r.error_code, "InvalidAttributeName")

    def test_set_attributes_policy_and_redrive(self):
        dlq = self.create("dlq")
        url = self.create("main")
        dlq_arn = self.call("GetQueueAttributes", QueueUrl=dlq,
                            AttributeNames=["QueueArn"]).json["Attributes"]["QueueArn"]
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:ap-northeast-2:123456789012:main",
            "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:ap-northeast-2:123456789012:t"}}}]})
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
        r = self.call("SetQueueAttributes", QueueUrl=url,
                      Attributes={"Policy": policy, "RedrivePolicy": redrive,
                                  "VisibilityTimeout": "45"})
        self.assertEqual(r.status, 200, r)
        a = self.call("GetQueueAttributes", QueueUrl=url, AttributeNames=["All"]).json["Attributes"]
        self.assertEqual(json.loads(a["Policy"]), json.loads(policy))
        self.assertEqual(json.loads(a["RedrivePolicy"])["deadLetterTargetArn"], dlq_arn)
        self.assertEqual(a["VisibilityTimeout"], "45")
        self.assertGreaterEqual(int(a["LastModifiedTimestamp"]), int(a["CreatedTimestamp"]))
        bad = json.dumps({"deadLetterTargetArn": dlq_arn + "-nope", "maxReceiveCount": 5})
        r = self.call("SetQueueAttributes", QueueUrl=url, Attributes={"RedrivePolicy": bad})
        self.assertEqual(r.error_code, "InvalidAttributeValue")
        r = self.call("SetQueueAttributes", QueueUrl=url, Attributes={"Policy": "{nope"})
        self.assertEqual(r.error_code, "InvalidAttributeValue")
        r = self.call("SetQueueAttributes", QueueUrl=url, Attributes={"Policy": ""})
        self.assertEqual(r.status, 200)
        a = self.call("GetQueueAttributes", QueueUrl=url, AttributeNames=["All"]).json["Attributes"]
        self.assertNotIn("Policy", a)

    def test_fifo(self):
        r = self.call("CreateQueue", QueueName="jobs.fifo")
        self.assertEqual(r.error_code, "InvalidAttributeValue")
        url = self.create("jobs.fifo", FifoQueue="true", ContentBasedDeduplication="true")
        a = self.call("GetQueueAttributes", QueueUrl=url, AttributeNames=["All"]).json["Attributes"]
        self.assertEqual((a["FifoQueue"], a["ContentBasedDeduplication"]), ("true", "true"))
        r = self.call("SetQueueAttributes", QueueUrl=url, Attributes={"FifoQueue": "false"})
        self.assertEqual(r.error_code, "InvalidAttributeValue")
        r = self.call("CreateQueue", QueueName="std", Attributes={"ContentBasedDeduplication": "true"})
        self.assertEqual(r.error_code, "InvalidAttributeName")

    def test_delete_and_recreate_cooldown(self):
        url = self.create("short-lived")
        self.assertEqual(self.call("DeleteQueue", QueueUrl=url).status, 200)
        self.assertEqual(self.call("GetQueueUrl", QueueName="short-lived").error_code,
                         "QueueDoesNotExist")
        r = self.call("CreateQueue", QueueName="short-lived")
        self.assertEqual(r.error_code, "QueueDeletedRecently")
        self.emu.admin("POST", "clock", {"advance": 61})
        self.create("short-lived")

    def test_list_prefix_and_pagination(self):
        for i in range(5):
            self.create("page-%d" % i)
        r = self.call("ListQueues", QueueNamePrefix="page-")
        self.assertEqual(r.json["QueueUrls"], [URL + "page-%d" % i for i in range(5)])
        self.assertNotIn("NextToken", r.json)
        r = self.call("ListQueues", QueueNamePrefix="page-", MaxResults=2)
        urls, token = r.json["QueueUrls"], r.json["NextToken"]
        while token:
            r = self.call("ListQueues", QueueNamePrefix="page-", MaxResults=2, NextToken=token)
            urls += r.json["QueueUrls"]
            token = r.json.get("NextToken")
        self.assertEqual(urls, [URL + "page-%d" % i for i in range(5)])
        self.assertEqual(self.call("ListQueues", QueueNamePrefix="none-").json, {})

    def test_tags(self):
        url = self.create("tagged")
        self.call("CreateQueue", QueueName="tagged2", tags={"env": "dev"})
        self.assertEqual(self.call("ListQueueTags", QueueUrl=URL + "tagged2").json["Tags"],
                         {"env": "dev"})
        self.assertEqual(self.call("TagQueue", QueueUrl=url, Tags={"a": "1", "b": "2"}).status, 200)
        self.assertEqual(self.call("UntagQueue", QueueUrl=url, TagKeys=["a"]).status, 200)
        self.assertEqual(self.call("ListQueueTags", QueueUrl=url).json, {"Tags": {"b": "2"}})

    def test_messages_drive_the_counters(self):
        url = self.create("msgs", DelaySeconds="0")
        self.call("SendMessage", QueueUrl=url, MessageBody="one")
        self.call("SendMessage", QueueUrl=url, MessageBody="two", DelaySeconds=60)
        a = self.call("GetQueueAttributes", QueueUrl=url, AttributeNames=["All"]).json["Attributes"]
        self.assertEqual((a["ApproximateNumberOfMessages"], a["ApproximateNumberOfMessagesDelayed"]),
                         ("1", "1"))
        r = self.call("ReceiveMessage", QueueUrl=url)
        (msg,) = r.json["Messages"]
        self.assertEqual(msg["Body"], "one")
        a = self.call("GetQueueAttributes", QueueUrl=url, AttributeNames=["All"]).json["Attributes"]
        self.assertEqual(a["ApproximateNumberOfMessagesNotVisible"], "1")
        self.assertEqual(self.call("DeleteMessage", QueueUrl=url,
                                   ReceiptHandle=msg["ReceiptHandle"]).status, 200)
        r = self.call("DeleteMessage", QueueUrl=url, ReceiptHandle="bogus")
        self.assertEqual(r.error_code, "ReceiptHandleIsInvalid")


class SqsQueryFormTest(tc.EmulatorCase):
    def call(self, action, **params):
        return self.c.call_query("sqs", action, params)

    def test_round_trip(self):
        r = self.call("CreateQueue", QueueName="qq",
                      Attribute=[{"Name": "VisibilityTimeout", "Value": "20"}],
                      Tag=[{"Key": "env", "Value": "dev"}])
        self.assertEqual(r.status, 200, r)
        url = r.xml.findtext("CreateQueueResult/QueueUrl")
        self.assertEqual(url, URL + "qq")
        self.assertTrue(r.xml.findtext("ResponseMetadata/RequestId"))
        r = self.call("GetQueueAttributes", QueueUrl=url, AttributeName=["All"])
        got = {a.findtext("Name"): a.findtext("Value")
               for a in r.xml.findall("GetQueueAttributesResult/Attribute")}
        self.assertEqual(got["VisibilityTimeout"], "20")
        self.assertEqual(got["QueueArn"], "arn:aws:sqs:ap-northeast-2:123456789012:qq")
        r = self.call("SetQueueAttributes", QueueUrl=url,
                      Attribute=[{"Name": "DelaySeconds", "Value": "5"}])
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.xml.find("SetQueueAttributesResult"))
        r = self.call("ListQueues", QueueNamePrefix="q")
        self.assertEqual([u.text for u in r.xml.findall("ListQueuesResult/QueueUrl")], [url])
        r = self.call("ListQueueTags", QueueUrl=url)
        self.assertEqual({t.findtext("Key"): t.findtext("Value")
                          for t in r.xml.findall("ListQueueTagsResult/Tag")}, {"env": "dev"})
        self.assertEqual(self.call("DeleteQueue", QueueUrl=url).status, 200)

    def test_errors_use_legacy_codes(self):
        r = self.call("GetQueueUrl", QueueName="ghost")
        self.assertEqual((r.status, r.error_code),
                         (400, "AWS.SimpleQueueService.NonExistentQueue"))
        self.assertEqual(r.xml.findtext("Error/Type"), "Sender")
        r = self.call("CreateQueue", QueueName="bad",
                      Attribute=[{"Name": "DelaySeconds", "Value": "1000"}])
        self.assertEqual(r.error_code, "InvalidAttributeValue")
        self.call("CreateQueue", QueueName="dup")
        r = self.call("CreateQueue", QueueName="dup",
                      Attribute=[{"Name": "DelaySeconds", "Value": "3"}])
        self.assertEqual(r.error_code, "QueueAlreadyExists")

    def test_inventory_shows_queue_attributes(self):
        self.call("CreateQueue", QueueName="inv",
                  Attribute=[{"Name": "VisibilityTimeout", "Value": "15"}])
        _, inv = self.emu.admin("GET", "inventory")
        (q,) = [q for q in inv["sqs"]["queue"] if q["name"] == "inv"]
        self.assertEqual(q["id"], URL + "inv")
        self.assertEqual(q["attributes"]["VisibilityTimeout"], "15")


if __name__ == "__main__":
    unittest.main()
