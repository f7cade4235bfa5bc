"""ECR, CloudWatch Logs, Application Auto Scaling (json 1.1), S3
(rest-xml, conditional writes) and DynamoDB (json 1.0, condition
expressions) and STS over HTTP with the tests' own SigV4 client: each
family round-trips and answers its own error codes."""

import unittest

import testclient as tc

ECR = "AmazonEC2ContainerRegistry_V20150921."
LOGS = "Logs_20140328."
AAS = "AnyScaleFrontendService."
DDB = "DynamoDB_20120810."


class JsonCase(tc.EmulatorCase):
    service = None
    prefix = None
    json_version = "1.1"
    reset = True

    def call(self, action, **body):
        return self.c.call_json(self.service, self.prefix + action, body,
                                json_version=self.json_version)

    def ok(self, action, **body):
        r = self.call(action, **body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["content-type"], "application/x-amz-json-" + self.json_version)
        return r.json

    def fails(self, code, action, **body):
        r = self.call(action, **body)
        self.assertEqual((r.status, r.error_code), (400, code), r)
        return r


class EcrTest(JsonCase):
    service, prefix = "ecr", ECR

    def test_repository_round_trip(self):
        repo = self.ok("CreateRepository", repositoryName="team/app",
                       imageScanningConfiguration={"scanOnPush": True},
                       tags=[{"Key": "env", "Value": "dev"}])["repository"]
        self.assertEqual(repo["repositoryArn"],
                         "arn:aws:ecr:ap-northeast-2:123456789012:repository/team/app")
        self.assertEqual(repo["repositoryUri"],
                         "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/team/app")
        self.assertEqual((repo["imageTagMutability"], repo["imageScanningConfiguration"]),
                         ("MUTABLE", {"scanOnPush": True}))
        self.assertIsInstance(repo["createdAt"], (int, float))
        self.fails("RepositoryAlreadyExistsException", "CreateRepository",
                   repositoryName="team/app")
        self.fails("InvalidParameterException", "CreateRepository", repositoryName="Bad_Name!")
        self.fails("InvalidParameterException", "CreateRepository", repositoryName="x2",
                   imageTagMutability="SOMETIMES")
        got = self.ok("DescribeRepositories", repositoryNames=["team/app"])["repositories"]
        self.assertEqual([r["repositoryName"] for r in got], ["team/app"])
        self.assertEqual(self.ok("ListTagsForResource", resourceArn=repo["repositoryArn"])["tags"],
                         [{"Key": "env", "Value": "dev"}])
        self.ok("DeleteRepository", repositoryName="team/app")
        self.fails("RepositoryNotFoundException", "DescribeRepositories",
                   repositoryNames=["team/app"])
        self.fails("RepositoryNotFoundException", "DeleteRepository", repositoryName="team/app")

    def test_pagination(self):
        for i in range(3):
            self.ok("CreateRepository", repositoryName="r%d" % i)
        first = self.ok("DescribeRepositories", maxResults=2)
        self.assertEqual(len(first["repositories"]), 2)
        rest = self.ok("DescribeRepositories", maxResults=2, nextToken=first["nextToken"])
        self.assertEqual([r["repositoryName"] for r in first["repositories"] + rest["repositories"]],
                         ["r0", "r1", "r2"])
        self.assertNotIn("nextToken", rest)


class LogsTest(JsonCase):
    service, prefix = "logs", LOGS

    def test_log_group_round_trip(self):
        self.ok("CreateLogGroup", logGroupName="/ecs/app", tags={"env": "dev"})
        self.fails("ResourceAlreadyExistsException", "CreateLogGroup", logGroupName="/ecs/app")
        self.fails("InvalidParameterException", "CreateLogGroup", logGroupName="bad:name")
        self.ok("PutRetentionPolicy", logGroupName="/ecs/app", retentionInDays=30)
        self.fails("InvalidParameterException", "PutRetentionPolicy", logGroupName="/ecs/app",
                   retentionInDays=31)
        (g,) = self.ok("DescribeLogGroups", logGroupNamePrefix="/ecs/")["logGroups"]
        self.assertEqual((g["logGroupName"], g["retentionInDays"]), ("/ecs/app", 30))
        self.assertEqual(g["arn"], "arn:aws:logs:ap-northeast-2:123456789012:log-group:/ecs/app:*")
        self.ok("DeleteRetentionPolicy", logGroupName="/ecs/app")
        (g,) = self.ok("DescribeLogGroups", logGroupNamePrefix="/ecs/")["logGroups"]
        self.assertNotIn("retentionInDays", g)
        arn = g["arn"][:-2]
        self.ok("TagResource", resourceArn=arn, tags={"team": "infra"})
        self.assertEqual(self.ok("ListTagsForResource", resourceArn=arn)["tags"],
                         {"env": "dev", "team": "infra"})
        self.ok("DeleteLogGroup", logGroupName="/ecs/app")
        self.fails("ResourceNotFoundException", "DeleteLogGroup", logGroupName="/ecs/app")
        self.fails("ResourceNotFoundException", "PutRetentionPolicy", logGroupName="/ecs/app",
                   retentionInDays=30)

    def test_log_streams(self):
        self.ok("CreateLogGroup", logGroupName="g")
        self.ok("CreateLogStream", logGroupName="g", logStreamName="app/1")
        self.fails("ResourceAlreadyExistsException", "CreateLogStream", logGroupName="g",
                   logStreamName="app/1")
        self.fails("ResourceNotFoundException", "CreateLogStream", logGroupName="nope",
                   logStreamName="s")
        self.ok("CreateLogStream", logGroupName="g", logStreamName="app/2")
        got = self.ok("DescribeLogStreams", logGroupName="g", logStreamNamePrefix="app/")
        self.assertEqual([s["logStreamName"] for s in got["logStreams"]], ["app/1", "app/2"])
        self.ok("DeleteLogStream", logGroupName="g", logStreamName="app/1")
        self.fails("ResourceNotFoundException", "DeleteLogStream", logGroupName="g",
                   logStreamName="app/1")


class AppAutoScalingTest(JsonCase):
    service, prefix = "application-autoscaling", AAS
    target = {"ServiceNamespace": "ecs", "ResourceId": "service/main/web",
              "ScalableDimension": "ecs:service:DesiredCount"}

    def test_target_and_policy_round_trip(self):
        self.fails("ValidationException", "RegisterScalableTarget", **self.target)
        self.ok("RegisterScalableTarget", MinCapacity=1, MaxCapacity=4, **self.target)
        self.ok("RegisterScalableTarget", MaxCapacity=6, **self.target)     # an upsert
        (t,) = self.ok("DescribeScalableTargets", ServiceNamespace="ecs")["ScalableTargets"]
        self.assertEqual((t["MinCapacity"], t["MaxCapacity"], t["ResourceId"]),
                         (1, 6, "service/main/web"))
        self.fails("ValidationException", "RegisterScalableTarget", MinCapacity=5, MaxCapacity=2,
                   **self.target)
        p = self.ok("PutScalingPolicy", PolicyName="cpu", PolicyType="TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration={
                        "TargetValue": 50.0, "PredefinedMetricSpecification": {
                            "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}},
                    **self.target)
        self.assertRegex(p["PolicyARN"], r"^arn:aws:autoscaling:ap-northeast-2:123456789012:"
                                         r"scalingPolicy:[0-9a-f-]{36}:resource/ecs/service/main/"
                                         r"web:policyName/cpu$")
        self.assertEqual(len(p["Alarms"]), 2)
        (got,) = self.ok("DescribeScalingPolicies", ServiceNamespace="ecs")["ScalingPolicies"]
        self.assertEqual((got["PolicyName"], got["PolicyARN"]), ("cpu", p["PolicyARN"]))
        self.ok("DeleteScalingPolicy", PolicyName="cpu", **self.target)
        self.fails("ObjectNotFoundException", "DeleteScalingPolicy", PolicyName="cpu",
                   **self.target)
        self.ok("DeregisterScalableTarget", **self.target)
        self.fails("ObjectNotFoundException", "DeregisterScalableTarget", **self.target)

    def test_policy_needs_a_target(self):
        self.fails("ObjectNotFoundException", "PutScalingPolicy", PolicyName="cpu",
                   PolicyType="TargetTrackingScaling",
                   TargetTrackingScalingPolicyConfiguration={
                       "TargetValue": 50.0, "PredefinedMetricSpecification": {
                           "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}},
                   **self.target)


class DynamoDbTest(JsonCase):
    service, prefix, json_version = "dynamodb", DDB, "1.0"

    def setUp(self):
        super().setUp()
        self.ok("CreateTable", TableName="locks", BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}])

    def test_conditional_lock(self):
        item = {"LockID": {"S": "st"}, "Owner": {"S": "a"}}
        self.ok("PutItem", TableName="locks", Item=item,
                ConditionExpression="attribute_not_exists(LockID)")
        r = self.fails("ConditionalCheckFailedException", "PutItem", TableName="locks",
                       Item={"LockID": {"S": "st"}, "Owner": {"S": "b"}},
                       ConditionExpression="attribute_not_exists(LockID)")
        self.assertIn("conditional request failed", r.json["message"])
        got = self.ok("GetItem", TableName="locks", Key={"LockID": {"S": "st"}},
                      ConsistentRead=True)
        self.assertEqual(got["Item"]["Owner"], {"S": "a"})
        self.fails("ConditionalCheckFailedException", "DeleteItem", TableName="locks",
                   Key={"LockID": {"S": "st"}}, ConditionExpression="#o = :me",
                   ExpressionAttributeNames={"#o": "Owner"},
                   ExpressionAttributeValues={":me": {"S": "b"}})
        self.ok("DeleteItem", TableName="locks", Key={"LockID": {"S": "st"}},
                ConditionExpression="#o = :me AND attribute_exists(LockID)",
                ExpressionAttributeNames={"#o": "Owner"},
                ExpressionAttributeValues={":me": {"S": "a"}})
        self.assertEqual(self.ok("GetItem", TableName="locks", Key={"LockID": {"S": "st"}}), {})

    def test_validation_and_missing_table(self):
        self.fails("ValidationException", "PutItem", TableName="locks",
                   Item={"LockID": {"S": "x"}}, ConditionExpression="#o = :me",
                   ExpressionAttributeValues={":me": {"S": "a"}})
        self.fails("ValidationException", "PutItem", TableName="locks",
                   Item={"Other": {"S": "x"}})
        self.fails("ResourceNotFoundException", "GetItem", TableName="nope",
                   Key={"LockID": {"S": "x"}})
        self.fails("ResourceInUseException", "CreateTable", TableName="locks",
                   BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}])


class S3Test(tc.EmulatorCase):
    reset = True

    def setUp(self):
        super().setUp()
        self.assertEqual(self.s3("PUT", "/state", tc.BUCKET_CONF).status, 200)

    def s3(self, method, path, body=b"", headers=None, query=""):
        return self.c.raw(method, path, body, headers, "s3", query=query)

    def test_object_round_trip(self):
        r = self.s3("PUT", "/state/env/dev.json", b'{"serial":1}',
                    {"Content-Type": "application/json", "x-amz-meta-owner": "ci"})
        self.assertEqual(r.status, 200, r)
        etag = r.headers["etag"]
        self.assertEqual(etag, '"%s"' % __import__("hashlib").md5(b'{"serial":1}').hexdigest())
        r = self.s3("GET", "/state/env/dev.json")
        self.assertEqual((r.status, r.body, r.headers["etag"], r.headers["x-amz-meta-owner"]),
                         (200, b'{"serial":1}', etag, "ci"))
        r = self.s3("HEAD", "/state/env/dev.json")
        self.assertEqual((r.status, r.headers["content-length"], r.body), (200, "12", b""))
        r = self.s3("GET", "/state", query="list-type=2&prefix=env%2F")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([e.text for e in r.items("Contents/Key")], ["env/dev.json"])
        self.assertEqual(r.xml.findtext("KeyCount"), "1")
        self.assertEqual(self.s3("DELETE", "/state/env/dev.json").status, 204)
        r = self.s3("GET", "/state/env/dev.json")
        self.assertEqual((r.status, r.error_code), (404, "NoSuchKey"))
        self.assertEqual(self.s3("HEAD", "/state/env/dev.json").status, 404)
        r = self.s3("GET", "/nobucket/x")
        self.assertEqual((r.status, r.error_code), (404, "NoSuchBucket"))

    def test_conditional_writes(self):
        key = "/state/lock"
        r = self.s3("PUT", key, b"one", {"If-None-Match": "*"})
        self.assertEqual(r.status, 200, r)
        etag = r.headers["etag"]
        r = self.s3("PUT", key, b"two", {"If-None-Match": "*"})
        self.assertEqual((r.status, r.error_code), (412, "PreconditionFailed"))
        r = self.s3("PUT", key, b"two", {"If-Match": '"00000000000000000000000000000000"'})
        self.assertEqual((r.status, r.error_code), (412, "PreconditionFailed"))
        self.assertEqual(self.s3("GET", key).body, b"one")
        r = self.s3("PUT", key, b"two", {"If-Match": etag})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.s3("GET", key).body, b"two")
        r = self.s3("PUT", "/state/absent", b"x", {"If-Match": etag})
        self.assertEqual((r.status, r.error_code), (404, "NoSuchKey"))

    def test_encryption_only_when_asked(self):
        r = self.s3("PUT", "/state/plain", b"x")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("x-amz-server-side-encryption", r.headers)
        self.assertNotIn("x-amz-server-side-encryption", self.s3("HEAD", "/state/plain").headers)
        r = self.s3("PUT", "/state/sealed", b"x", {"x-amz-server-side-encryption": "AES256"})
        self.assertEqual(r.headers["x-amz-server-side-encryption"], "AES256")
        self.assertEqual(self.s3("HEAD", "/state/sealed").headers["x-amz-server-side-encryption"],
                         "AES256")
        r = self.s3("PUT", "/state/bad", b"x", {"x-amz-server-side-encryption": "DES"})
        self.assertEqual((r.status, r.error_code), (400, "InvalidArgument"))

    def test_bucket_errors(self):
        r = self.s3("PUT", "/other")       # outside us-east-1 the region must be given
        self.assertEqual((r.status, r.error_code), (400, "IllegalLocationConstraintException"))
        r = self.s3("PUT", "/state", tc.BUCKET_CONF)
        self.assertEqual((r.status, r.error_code), (409, "BucketAlreadyOwnedByYou"))
        self.s3("PUT", "/state/k", b"x")
        r = self.s3("DELETE", "/state")
        self.assertEqual((r.status, r.error_code), (409, "BucketNotEmpty"))


class StsTest(tc.EmulatorCase):
    server_options = {"account": "210987654321"}

    def test_get_caller_identity_reports_the_configured_account(self):
        r = self.c.call_query("sts", "GetCallerIdentity")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.xml.findtext("GetCallerIdentityResult/Account"), "210987654321")
        self.assertEqual(r.xml.findtext("GetCallerIdentityResult/Arn"),
                         "arn:aws:iam::210987654321:user/emulator")
        self.assertTrue(r.xml.findtext("ResponseMetadata/RequestId"))

    def test_assume_role_validation(self):
        r = self.c.call_query("sts", "AssumeRole", {
            "RoleArn": "arn:aws:iam::210987654321:role/x", "RoleSessionName": "not valid!"})
        self.assertEqual((r.status, r.error_code), (400, "ValidationError"))
        r = self.c.call_query("sts", "AssumeRole", {
            "RoleArn": "arn:aws:iam::210987654321:role/x", "RoleSessionName": "s"})
        self.assertEqual((r.status, r.error_code), (400, "ValidationError"))
        self.assertEqual(r.xml.findtext(".//Message"),
                         "1 validation error detected: Value 's' at 'roleSessionName' failed to "
                         "satisfy constraint: Member must have length greater than or equal to 2")


if __name__ == "__main__":
    unittest.main()
