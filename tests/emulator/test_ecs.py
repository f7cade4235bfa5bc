"""ECS over HTTP (json 1.1): clusters, task definitions (revisions, container defaults, Fargate
cpu/memory table), services (deployments, scale-to-zero rule, DRAINING -> INACTIVE on the
emulator clock), tags, and ECS's error types."""
import unittest

import testclient as tc

T = "AmazonEC2ContainerServiceV20141113."
EXEC = "arn:aws:iam::123456789012:role/exec"
ARN = "arn:aws:ecs:ap-northeast-2:123456789012:"


def container(**extra):
    cd = {"name": "app", "image": "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/app:0.0.1",
          "portMappings": [{"containerPort": 8080}],
          "logConfiguration": {"logDriver": "awslogs", "options": {
              "awslogs-group": "/ecs/app", "awslogs-region": "ap-northeast-2",
              "awslogs-stream-prefix": "app"}}}
    cd.update(extra)
    return cd


def fargate(family, cpu="256", memory="512", **extra):
    body = {"family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": cpu, "memory": memory, "executionRoleArn": EXEC,
            "containerDefinitions": [container()]}
    body.update(extra)
    return body


NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"],
                                   "securityGroups": ["sg-0123456789abcdef0"],
                                   "assignPublicIp": "DISABLED"}}


class EcsCalls:
    """ECS calls through the class's emulator (self.c)."""

    def call(self, action, **body):
        return self.c.call_json("ecs", T + action, body)

    def ok(self, action, **body):
        r = self.call(action, **body)
        self.assertEqual(r.status, 200, r)
        return r.json

    def service(self, cluster, name, family, **extra):
        self.ok("CreateCluster", clusterName=cluster)
        td = self.ok("RegisterTaskDefinition", **fargate(family))["taskDefinition"]
        body = dict(cluster=cluster, serviceName=name, taskDefinition=td["taskDefinitionArn"],
                    desiredCount=2, launchType="FARGATE", networkConfiguration=NETWORK)
        body.update(extra)
        return self.ok("CreateService", **body)["service"], td


class EcsTest(EcsCalls, tc.EmulatorCase):
    def test_cluster_round_trip(self):
        c = self.ok("CreateCluster", clusterName="main", tags=[{"key": "env", "value": "dev"}],
                    settings=[{"name": "containerInsights", "value": "enabled"}])["cluster"]
        self.assertEqual((c["clusterArn"], c["status"]), (ARN + "cluster/main", "ACTIVE"))
        self.assertEqual(self.ok("CreateCluster", clusterName="main")["cluster"]["clusterArn"],
                         c["clusterArn"])
        d = self.ok("DescribeClusters", clusters=["main", "ghost"], include=["TAGS", "SETTINGS"])
        (got,) = d["clusters"]
        self.assertEqual(got["tags"], [{"key": "env", "value": "dev"}])
        self.assertEqual(got["settings"], [{"name": "containerInsights", "value": "enabled"}])
        self.assertEqual(d["failures"], [{"arn": ARN + "cluster/ghost", "reason": "MISSING"}])
        r = self.call("DeleteCluster", cluster="ghost")
        self.assertEqual((r.status, r.error_code), (400, "ClusterNotFoundException"))
        gone = self.ok("DeleteCluster", cluster="main")["cluster"]
        self.assertEqual(gone["status"], "INACTIVE")
        self.assertEqual(self.ok("DescribeClusters", clusters=["main"])["clusters"][0]["status"],
                         "INACTIVE")

    def test_task_definition_defaults_and_revisions(self):
        td = self.ok("RegisterTaskDefinition", **fargate("web"))["taskDefinition"]
        self.assertEqual(td["taskDefinitionArn"], ARN + "task-definition/web:1")
        self.assertEqual((td["revision"], td["status"], td["cpu"], td["memory"]),
                         (1, "ACTIVE", "256", "512"))
        (cd,) = td["containerDefinitions"]
        self.assertIs(cd["essential"], True)
        self.assertEqual(cd["cpu"], 0)
        self.assertEqual(cd["portMappings"],
                         [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}])
        for key in ("environment", "mountPoints", "volumesFrom"):
            self.assertEqual(cd[key], [])
        self.assertIn("FARGATE", td["compatibilities"])
        td2 = self.ok("RegisterTaskDefinition", **fargate("web", cpu="1 vCPU", memory="2 GB"))[
            "taskDefinition"]
        self.assertEqual((td2["revision"], td2["cpu"], td2["memory"]), (2, "1024", "2048"))
        latest = self.ok("DescribeTaskDefinition", taskDefinition="web")["taskDefinition"]
        self.assertEqual(latest["revision"], 2)
        old = self.ok("DeregisterTaskDefinition", taskDefinition="web:1")["taskDefinition"]
        self.assertEqual(old["status"], "INACTIVE")
        self.assertEqual(self.ok("DescribeTaskDefinition", taskDefinition=ARN +
                                 "task-definition/web:1")["taskDefinition"]["status"], "INACTIVE")
        r = self.call("DescribeTaskDefinition", taskDefinition="nope:9")
        self.assertEqual((r.status, r.error_code), (400, "ClientException"))

    def test_health_check_defaults(self):
        check = ["CMD-SHELL", "curl -f http://localhost/up || exit 1"]
        td = self.ok("RegisterTaskDefinition", **fargate("hc", containerDefinitions=[
            container(healthCheck={"command": check})]))["taskDefinition"]
        self.assertEqual(td["containerDefinitions"][0]["healthCheck"],
                         {"command": check, "interval": 30, "timeout": 5, "retries": 3})
        td = self.ok("RegisterTaskDefinition", **fargate("hc", containerDefinitions=[
            container(healthCheck={"command": check, "interval": 60, "startPeriod": 10})]))[
            "taskDefinition"]
        self.assertEqual(td["containerDefinitions"][0]["healthCheck"],
                         {"command": check, "interval": 60, "timeout": 5, "retries": 3,
                          "startPeriod": 10})
        for bad in ({"command": check, "interval": 4}, {"command": check, "retries": 11},
                    {"interval": 30}):
            r = self.call("RegisterTaskDefinition", **fargate("hc", containerDefinitions=[
                container(healthCheck=bad)]))
            self.assertEqual((r.status, r.error_code), (400, "ClientException"), bad)

    def test_fargate_validation(self):
        for cpu, memory in (("256", "4096"), ("512", "512"), ("1024", "9216"), ("300", "1024"),
                            ("4096", "31744")):
            r = self.call("RegisterTaskDefinition", **fargate("bad", cpu=cpu, memory=memory))
            self.assertEqual((r.status, r.error_code), (400, "ClientException"), (cpu, memory))
        for cpu, memory in (("256", "2048"), ("512", "4096"), ("2048", "16384"),
                            ("4096", "30720"), ("8192", "61440"), ("16384", "122880")):
            self.ok("RegisterTaskDefinition", **fargate("good", cpu=cpu, memory=memory))
        r = self.call("RegisterTaskDefinition", **fargate("bad", networkMode="bridge"))
        self.assertEqual(r.error_code, "ClientException")
        body = fargate("bad")
        del body["executionRoleArn"]
        r = self.call("RegisterTaskDefinition", **body)
        self.assertEqual(r.error_code, "ClientException")
        self.assertIn("execution role", r.json["message"])
        body = fargate("bad", containerDefinitions=[container(
            portMappings=[{"containerPort": 8080, "hostPort": 80}])])
        self.assertEqual(self.call("RegisterTaskDefinition", **body).error_code, "ClientException")
        body = fargate("bad", containerDefinitions=[{"name": "x"}])
        self.assertEqual(self.call("RegisterTaskDefinition", **body).error_code, "ClientException")

    def test_service_lifecycle(self):
        svc, td = self.service("svc-c", "api", "api")
        self.assertEqual(svc["serviceArn"], ARN + "service/svc-c/api")
        self.assertEqual((svc["status"], svc["desiredCount"], svc["launchType"]),
                         ("ACTIVE", 2, "FARGATE"))
        self.assertEqual(svc["networkConfiguration"], NETWORK)
        self.emu.admin("POST", "clock", {"advance": 5})
        d = self.ok("DescribeServices", cluster="svc-c", services=["api", "ghost"])
        (got,) = d["services"]
        self.assertEqual(got["runningCount"], 2)
        self.assertEqual([x["rolloutState"] for x in got["deployments"]], ["COMPLETED"])
        self.assertEqual(d["failures"], [{"arn": ARN + "service/svc-c/ghost", "reason": "MISSING"}])
        td2 = self.ok("RegisterTaskDefinition", **fargate("api", cpu="512", memory="1024"))[
            "taskDefinition"]
        up = self.ok("UpdateService", cluster="svc-c", service="api",
                     taskDefinition=td2["taskDefinitionArn"], desiredCount=3)["service"]
        self.assertEqual((up["taskDefinition"], up["desiredCount"]),
                         (td2["taskDefinitionArn"], 3))
        self.assertEqual([x["status"] for x in up["deployments"]], ["PRIMARY", "ACTIVE"])
        self.emu.admin("POST", "clock", {"advance": 5})
        got = self.ok("DescribeServices", cluster="svc-c", services=["api"])["services"][0]
        self.assertEqual(len(got["deployments"]), 1)
        self.assertEqual(got["runningCount"], 3)
        self.assertEqual(self.ok("ListServices", cluster="svc-c")["serviceArns"],
                         [ARN + "service/svc-c/api"])
        r = self.call("DeleteCluster", cluster="svc-c")
        self.assertEqual(r.error_code, "ClusterContainsServicesException")
        r = self.call("DeleteService", cluster="svc-c", service="api")
        self.assertEqual((r.status, r.error_code), (400, "InvalidParameterException"))
        self.ok("UpdateService", cluster="svc-c", service="api", desiredCount=0)
        gone = self.ok("DeleteService", cluster="svc-c", service="api")["service"]
        self.assertEqual(gone["status"], "DRAINING")
        r = self.call("UpdateService", cluster="svc-c", service="api", desiredCount=1)
        self.assertEqual(r.error_code, "ServiceNotActiveException")
        self.assertEqual(self.call("DeleteCluster", cluster="svc-c").error_code,
                         "ClusterContainsServicesException")
        self.emu.admin("POST", "clock", {"advance": 3})
        got = self.ok("DescribeServices", cluster="svc-c", services=["api"])["services"][0]
        self.assertEqual(got["status"], "INACTIVE")
        self.assertEqual(self.ok("ListServices", cluster="svc-c")["serviceArns"], [])
        self.ok("DeleteCluster", cluster="svc-c")

    def test_force_delete_and_not_found(self):
        self.service("force-c", "worker", "worker")
        gone = self.ok("DeleteService", cluster="force-c", service="worker", force=True)["service"]
        self.assertEqual((gone["status"], gone["desiredCount"]), ("DRAINING", 0))
        r = self.call("DescribeServices", cluster="ghost", services=["x"])
        self.assertEqual(r.error_code, "ClusterNotFoundException")
        r = self.call("UpdateService", cluster="force-c", service="ghost", desiredCount=1)
        self.assertEqual(r.error_code, "ServiceNotFoundException")

    def test_name_of_a_draining_service(self):
        svc, td = self.service("drain-c", "web", "drainer")
        self.ok("DeleteService", cluster="drain-c", service="web", force=True)
        again = dict(cluster="drain-c", serviceName="web", taskDefinition=td["taskDefinitionArn"],
                     desiredCount=1, launchType="FARGATE", networkConfiguration=NETWORK)
        r = self.call("CreateService", **again)
        self.assertEqual((r.status, r.error_code), (400, "InvalidParameterException"))
        self.assertEqual(r.json["message"], "Unable to Start a service that is still Draining.")
        self.emu.admin("POST", "clock", {"advance": 3})
        new = self.ok("CreateService", **again)["service"]
        self.assertEqual((new["serviceArn"], new["status"], new["desiredCount"]),
                         (svc["serviceArn"], "ACTIVE", 1))
        got = self.ok("DescribeServices", cluster="drain-c", services=["web"])["services"][0]
        self.assertEqual((got["status"], got["desiredCount"]), ("ACTIVE", 1))

    def test_create_service_validation(self):
        self.ok("CreateCluster", clusterName="val")
        td = self.ok("RegisterTaskDefinition", **fargate("val"))["taskDefinition"]
        base = dict(cluster="val", serviceName="s", taskDefinition=td["taskDefinitionArn"],
                    desiredCount=1, launchType="FARGATE")
        r = self.call("CreateService", **base)   # awsvpc needs a network configuration
        self.assertEqual(r.error_code, "InvalidParameterException")
        r = self.call("CreateService", networkConfiguration=NETWORK, loadBalancers=[{
            "targetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:"
                              "targetgroup/tg/0123456789abcdef", "containerName": "app",
            "containerPort": 9999}], **base)
        self.assertEqual(r.error_code, "InvalidParameterException")
        r = self.call("CreateService", networkConfiguration=NETWORK,
                      healthCheckGracePeriodSeconds=30, **base)
        self.assertEqual(r.error_code, "InvalidParameterException")
        r = self.call("CreateService", **dict(base, cluster="ghost", networkConfiguration=NETWORK))
        self.assertEqual(r.error_code, "ClusterNotFoundException")
        self.ok("CreateService", networkConfiguration=NETWORK, **base)
        r = self.call("CreateService", networkConfiguration=NETWORK, **base)
        self.assertEqual(r.error_code, "InvalidParameterException")   # not idempotent

    def test_tags(self):
        svc, td = self.service("tag-c", "tagged", "tagged", tags=[{"key": "a", "value": "1"}])
        for arn in (ARN + "cluster/tag-c", svc["serviceArn"], td["taskDefinitionArn"]):
            self.ok("TagResource", resourceArn=arn, tags=[{"key": "team", "value": "core"}])
            tags = self.ok("ListTagsForResource", resourceArn=arn)["tags"]
            self.assertIn({"key": "team", "value": "core"}, tags)
            self.ok("UntagResource", resourceArn=arn, tagKeys=["team"])
            self.assertNotIn({"key": "team", "value": "core"},
                             self.ok("ListTagsForResource", resourceArn=arn)["tags"])
        self.assertEqual(self.ok("ListTagsForResource", resourceArn=svc["serviceArn"])["tags"],
                         [{"key": "a", "value": "1"}])
        r = self.call("TagResource", resourceArn=ARN + "cluster/ghost",
                      tags=[{"key": "a", "value": "b"}])
        self.assertEqual(r.error_code, "ClusterNotFoundException")
        r = self.call("TagResource", resourceArn="nonsense", tags=[{"key": "a", "value": "b"}])
        self.assertEqual(r.error_code, "InvalidParameterException")

    def test_inventory(self):
        svc, td = self.service("inv-c", "inv", "inv")
        _, inv = self.emu.admin("GET", "inventory")
        self.assertIn(svc["serviceArn"], [s["id"] for s in inv["ecs"]["service"]])
        self.assertIn(td["taskDefinitionArn"], [t["id"] for t in inv["ecs"]["task_definition"]])
        self.assertIn(ARN + "cluster/inv-c", [c["id"] for c in inv["ecs"]["cluster"]])


class DrainDelayTest(EcsCalls, tc.EmulatorCase):
    """--drain-delay-ms sets how long a deleted service drains (and holds its name)."""
    server_options = {"drain_delay_ms": 5000}

    def test_drain_delay(self):
        _, td = self.service("slow-c", "api", "slow")
        self.ok("DeleteService", cluster="slow-c", service="api", force=True)
        again = dict(cluster="slow-c", serviceName="api", taskDefinition=td["taskDefinitionArn"],
                     desiredCount=1, launchType="FARGATE", networkConfiguration=NETWORK)
        self.emu.admin("POST", "clock", {"advance": 3})
        got = self.ok("DescribeServices", cluster="slow-c", services=["api"])["services"][0]
        self.assertEqual(got["status"], "DRAINING")
        self.assertEqual(self.call("CreateService", **again).error_code,
                         "InvalidParameterException")
        self.emu.admin("POST", "clock", {"advance": 3})
        self.assertEqual(self.ok("CreateService", **again)["service"]["status"], "ACTIVE")


if __name__ == "__main__":
    unittest.main()
