"""SNS over HTTP (query protocol): topics and attributes, sqs subscriptions with raw delivery
and filter policies, pagination, tags, FIFO topics and NotFound errors."""
import json
import unittest

import testclient as tc

QUEUE_ARN = "arn:aws:sqs:ap-northeast-2:123456789012:sqs-base"


def attrs(r, path):
    return {e.findtext("key"): e.findtext("value") for e in r.xml.findall(path + "/entry")}


class SnsTest(tc.EmulatorCase):
    def call(self, action, **params):
        return self.c.call_query("sns", action, params)

    def topic(self, name, **extra):
        r = self.call("CreateTopic", Name=name, **extra)
        self.assertEqual(r.status, 200, r)
        return r.xml.findtext("CreateTopicResult/TopicArn")

    def test_create_is_idempotent_by_name(self):
        arn = self.topic("idem", Attributes={"entry": [{"key": "DisplayName", "value": "x"}]})
        self.assertEqual(arn, "arn:aws:sns:ap-northeast-2:123456789012:idem")
        self.assertEqual(self.topic("idem", Attributes={"entry": [
            {"key": "DisplayName", "value": "x"}]}), arn)
        r = self.call("CreateTopic", Name="idem",
                      Attributes={"entry": [{"key": "DisplayName", "value": "other"}]})
        self.assertEqual((r.status, r.error_code), (400, "InvalidParameter"))

    def test_attributes_and_policy(self):
        arn = self.topic("attrs")
        r = self.call("GetTopicAttributes", TopicArn=arn)
        a = attrs(r, "GetTopicAttributesResult/Attributes")
        self.assertEqual(a["TopicArn"], arn)
        self.assertEqual(a["Owner"], "123456789012")
        self.assertEqual(json.loads(a["Policy"])["Statement"][0]["Resource"], arn)
        self.assertEqual(a["SubscriptionsConfirmed"], "0")
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish", "Resource": arn}]})
        r = self.call("SetTopicAttributes", TopicArn=arn, AttributeName="Policy",
                      AttributeValue=policy)
        self.assertEqual(r.status, 200, r)
        self.call("SetTopicAttributes", TopicArn=arn, AttributeName="DisplayName",
                  AttributeValue="Events")
        a = attrs(self.call("GetTopicAttributes", TopicArn=arn),
                  "GetTopicAttributesResult/Attributes")
        self.assertEqual(json.loads(a["Policy"]), json.loads(policy))
        self.assertEqual(a["DisplayName"], "Events")
        r = self.call("SetTopicAttributes", TopicArn=arn, AttributeName="Policy",
                      AttributeValue="{broken")
        self.assertEqual(r.error_code, "InvalidParameter")
        r = self.call("SetTopicAttributes", TopicArn=arn, AttributeName="Bogus",
                      AttributeValue="1")
        self.assertEqual(r.error_code, "InvalidParameter")

    def test_not_found(self):
        ghost = "arn:aws:sns:ap-northeast-2:123456789012:ghost"
        r = self.call("GetTopicAttributes", TopicArn=ghost)
        self.assertEqual((r.status, r.error_code), (404, "NotFound"))
        r = self.call("Subscribe", TopicArn=ghost, Protocol="sqs", Endpoint=QUEUE_ARN)
        self.assertEqual((r.status, r.error_code), (404, "NotFound"))
        r = self.call("GetSubscriptionAttributes", SubscriptionArn=ghost + ":0b5c3b52-0000-0000-0000-000000000000")
        self.assertEqual((r.status, r.error_code), (404, "NotFound"))
        r = self.call("CreateTopic")
        self.assertEqual((r.status, r.error_code), (400, "InvalidParameter"))

    def test_sqs_subscription(self):
        arn = self.topic("subs")
        r = self.call("Subscribe", TopicArn=arn, Protocol="sqs", Endpoint=QUEUE_ARN,
                      ReturnSubscriptionArn="true",
                      Attributes={"entry": [{"key": "RawMessageDelivery", "value": "true"}]})
        self.assertEqual(r.status, 200, r)
        sub = r.xml.findtext("SubscribeResult/SubscriptionArn")
        self.assertTrue(sub.startswith(arn + ":"))
        again = self.call("Subscribe", TopicArn=arn, Protocol="sqs", Endpoint=QUEUE_ARN)
        self.assertEqual(again.xml.findtext("SubscribeResult/SubscriptionArn"), sub)
        a = attrs(self.call("GetSubscriptionAttributes", SubscriptionArn=sub),
                  "GetSubscriptionAttributesResult/Attributes")
        self.assertEqual((a["Protocol"], a["Endpoint"], a["TopicArn"]), ("sqs", QUEUE_ARN, arn))
        self.assertEqual((a["RawMessageDelivery"], a["PendingConfirmation"]), ("true", "false"))
        fp = json.dumps({"event": ["created"]})
        r = self.call("SetSubscriptionAttributes", SubscriptionArn=sub,
                      AttributeName="FilterPolicy", AttributeValue=fp)
        self.assertEqual(r.status, 200, r)
        a = attrs(self.call("GetSubscriptionAttributes", SubscriptionArn=sub),
                  "GetSubscriptionAttributesResult/Attributes")
        self.assertEqual(json.loads(a["FilterPolicy"]), {"event": ["created"]})
        self.assertEqual(a["FilterPolicyScope"], "MessageAttributes")
        r = self.call("SetSubscriptionAttributes", SubscriptionArn=sub,
                      AttributeName="RawMessageDelivery", AttributeValue="maybe")
        self.assertEqual(r.error_code, "InvalidParameter")
        a = attrs(self.call("GetTopicAttributes", TopicArn=arn),
                  "GetTopicAttributesResult/Attributes")
        self.assertEqual(a["SubscriptionsConfirmed"], "1")
        self.assertEqual(self.call("Unsubscribe", SubscriptionArn=sub).status, 200)
        r = self.call("GetSubscriptionAttributes", SubscriptionArn=sub)
        self.assertEqual(r.error_code, "NotFound")

    def test_endpoint_validation_and_pending(self):
        arn = self.topic("endpoints")
        r = self.call("Subscribe", TopicArn=arn, Protocol="sqs", Endpoint="https://not-an-arn")
        self.assertEqual(r.error_code, "InvalidParameter")
        r = self.call("Subscribe", TopicArn=arn, Protocol="carrier-pigeon", Endpoint="x")
        self.assertEqual(r.error_code, "InvalidParameter")
        r = self.call("Subscribe", TopicArn=arn, Protocol="https", Endpoint="https://example.com/h")
        self.assertEqual(r.xml.findtext("SubscribeResult/SubscriptionArn"), "pending confirmation")

    def test_list_subscriptions_paginates(self):
        arn = self.topic("many")
        for i in range(105):
            self.call("Subscribe", TopicArn=arn, Protocol="sqs",
                      Endpoint="arn:aws:sqs:ap-northeast-2:123456789012:q%d" % i)
        r = self.call("ListSubscriptionsByTopic", TopicArn=arn)
        first = r.xml.findall("ListSubscriptionsByTopicResult/Subscriptions/member")
        token = r.xml.findtext("ListSubscriptionsByTopicResult/NextToken")
        self.assertEqual(len(first), 100)
        self.assertTrue(token)
        r = self.call("ListSubscriptionsByTopic", TopicArn=arn, NextToken=token)
        rest = r.xml.findall("ListSubscriptionsByTopicResult/Subscriptions/member")
        self.assertEqual(len(rest), 5)
        self.assertIsNone(r.xml.findtext("ListSubscriptionsByTopicResult/NextToken"))
        endpoints = {m.findtext("Endpoint") for m in first + rest}
        self.assertEqual(len(endpoints), 105)

    def test_delete_topic_removes_subscriptions(self):
        arn = self.topic("gone")
        sub = self.call("Subscribe", TopicArn=arn, Protocol="sqs", Endpoint=QUEUE_ARN).xml \
            .findtext("SubscribeResult/SubscriptionArn")
        self.assertEqual(self.call("DeleteTopic", TopicArn=arn).status, 200)
        self.assertEqual(self.call("GetTopicAttributes", TopicArn=arn).error_code, "NotFound")
        self.assertEqual(self.call("GetSubscriptionAttributes", SubscriptionArn=sub).error_code,
                         "NotFound")
        _, inv = self.emu.admin("GET", "inventory")
        self.assertNotIn(arn, [t["id"] for t in inv["sns"]["topic"]])
        self.assertNotIn(sub, [s["id"] for s in inv["sns"]["subscription"]])

    def test_tags(self):
        arn = self.topic("tagged", Tags={"member": [{"Key": "env", "Value": "dev"}]})
        r = self.call("TagResource", ResourceArn=arn,
                      Tags={"member": [{"Key": "team", "Value": "core"}]})
        self.assertEqual(r.status, 200, r)
        r = self.call("ListTagsForResource", ResourceArn=arn)
        tags = {t.findtext("Key"): t.findtext("Value")
                for t in r.xml.findall("ListTagsForResourceResult/Tags/member")}
        self.assertEqual(tags, {"env": "dev", "team": "core"})
        self.call("UntagResource", ResourceArn=arn, TagKeys={"member": ["env"]})
        r = self.call("ListTagsForResource", ResourceArn=arn)
        self.assertEqual([t.findtext("Key") for t in
                          r.xml.findall("ListTagsForResourceResult/Tags/member")], ["team"])
        r = self.call("TagResource", ResourceArn=arn[:-1] + "x",
                      Tags={"member": [{"Key": "a", "Value": "b"}]})
        self.assertEqual((r.status, r.error_code), (404, "ResourceNotFound"))

    def test_fifo_topics(self):
        r = self.call("CreateTopic", Name="orders.fifo")
        self.assertEqual(r.error_code, "InvalidParameter")
        r = self.call("CreateTopic", Name="plain",
                      Attributes={"entry": [{"key": "FifoTopic", "value": "true"}]})
        self.assertEqual(r.error_code, "InvalidParameter")
        arn = self.topic("orders.fifo", Attributes={"entry": [
            {"key": "FifoTopic", "value": "true"},
            {"key": "ContentBasedDeduplication", "value": "true"}]})
        a = attrs(self.call("GetTopicAttributes", TopicArn=arn),
                  "GetTopicAttributesResult/Attributes")
        self.assertEqual((a["FifoTopic"], a["ContentBasedDeduplication"]), ("true", "true"))
        r = self.call("Subscribe", TopicArn=arn, Protocol="sqs", Endpoint=QUEUE_ARN)
        self.assertEqual(r.error_code, "InvalidParameter")   # FIFO topic -> FIFO queue only


if __name__ == "__main__":
    unittest.main()
