"""boto3 against a spawned emulator for the ECS options of issue 13: cluster configuration
(ECS Exec logging, answered only with include CONFIGURATIONS) and serviceConnectDefaults, task
definition volumes (bind and EFS) and ephemeral storage, and a service's capacity provider
strategy, deployment controller and service registries. Raw responses are checked against
botocore's model as in test_boto3 (same server set-up)."""

import unittest

import test_boto3 as b3

FAMILY = {"family": "opts", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
          "cpu": "256", "memory": "512",
          "containerDefinitions": [{"name": "app", "image": "nginx",
                                    "portMappings": [{"containerPort": 80}]}]}
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}


@unittest.skipIf(b3.boto3 is None, "boto3 is not installed (Debian package python3-boto3)")
class EcsOptionsBoto3Test(b3.Boto3Case, unittest.TestCase):

    def namespace(self, name):
        ec2, sd = self.client("ec2"), self.client("servicediscovery")
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        op = sd.create_private_dns_namespace(Name=name, Vpc=vpc)["OperationId"]
        self.advance(1)
        ns = sd.get_operation(OperationId=op)["Operation"]["Targets"]["NAMESPACE"]
        return sd, sd.get_namespace(Id=ns)["Namespace"]

    def test_cluster_configuration_and_connect_defaults(self):
        ecs = self.client("ecs")
        _, ns = self.namespace("defaults.local")
        log = {"cloudWatchLogGroupName": "/exec", "cloudWatchEncryptionEnabled": True}
        ecs.create_cluster(clusterName="cfg", configuration={"executeCommandConfiguration": {
            "logging": "OVERRIDE", "logConfiguration": log}},
            serviceConnectDefaults={"namespace": ns["Name"]})
        plain = ecs.describe_clusters(clusters=["cfg"])["clusters"][0]
        self.assertNotIn("configuration", plain)
        self.assertEqual(plain["serviceConnectDefaults"], {"namespace": ns["Arn"]})
        full = ecs.describe_clusters(clusters=["cfg"], include=["CONFIGURATIONS"])["clusters"][0]
        self.assertEqual(full["configuration"]["executeCommandConfiguration"],
                         {"logging": "OVERRIDE", "logConfiguration": log})
        ecs.update_cluster(cluster="cfg", configuration={"executeCommandConfiguration": {
            "kmsKeyId": "k"}}, serviceConnectDefaults={"namespace": ""})
        full = ecs.describe_clusters(clusters=["cfg"], include=["CONFIGURATIONS"])["clusters"][0]
        self.assertEqual(full["configuration"]["executeCommandConfiguration"],
                         {"kmsKeyId": "k", "logging": "DEFAULT"})
        self.assertNotIn("serviceConnectDefaults", full)
        for bad in ({"configuration": {"executeCommandConfiguration": {"logging": "OVERRIDE"}}},
                    {"configuration": {"executeCommandConfiguration": {
                        "logging": "NONE", "logConfiguration": log}}},
                    {"serviceConnectDefaults": {"namespace": "missing.local"}}):
            self.assertCode("InvalidParameterException", ecs.update_cluster, cluster="cfg", **bad)
        ecs.delete_cluster(cluster="cfg")

    def test_task_definition_volumes_and_storage(self):
        ecs = self.client("ecs")
        efs = {"fileSystemId": "fs-1", "transitEncryption": "ENABLED",
               "authorizationConfig": {"accessPointId": "fsap-1", "iam": "ENABLED"}}
        containers = [dict(FAMILY["containerDefinitions"][0], mountPoints=[
            {"sourceVolume": "shared", "containerPath": "/shared"},
            {"sourceVolume": "data", "containerPath": "/data"}])]
        td = ecs.register_task_definition(**dict(FAMILY, containerDefinitions=containers,
            volumes=[{"name": "shared"}, {"name": "data", "efsVolumeConfiguration": efs}],
            ephemeralStorage={"sizeInGiB": 30}))["taskDefinition"]
        got = ecs.describe_task_definition(taskDefinition=td["taskDefinitionArn"])["taskDefinition"]
        # the root directory left out is answered as "/" (the volume's root), as AWS answers it
        self.assertEqual(got["volumes"], [{"name": "shared", "host": {}}, {"name": "data",
                         "efsVolumeConfiguration": dict(efs, rootDirectory="/")}])
        self.assertEqual(got["ephemeralStorage"], {"sizeInGiB": 30})
        plain_efs = {"fileSystemId": "fs-1", "authorizationConfig": {"iam": "ENABLED"}}
        for bad in ({"ephemeralStorage": {"sizeInGiB": 10}},
                    {"volumes": [{"name": "d", "efsVolumeConfiguration": plain_efs}]},
                    {"volumes": [{"name": "h", "host": {"sourcePath": "/tmp"}}]},
                    {"containerDefinitions": containers}):
            self.assertCode("ClientException", ecs.register_task_definition, **dict(FAMILY, **bad))

    def test_service_options(self):
        ecs = self.client("ecs")
        sd, ns = self.namespace("svc.local")
        registry = sd.create_service(Name="api", NamespaceId=ns["Id"], DnsConfig={
            "DnsRecords": [{"Type": "A", "TTL": 10}]})["Service"]["Arn"]
        ecs.create_cluster(clusterName="svc")
        ecs.put_cluster_capacity_providers(cluster="svc", capacityProviders=["FARGATE",
                                           "FARGATE_SPOT"], defaultCapacityProviderStrategy=[])
        td = ecs.register_task_definition(**FAMILY)["taskDefinition"]["taskDefinitionArn"]
        base = {"cluster": "svc", "taskDefinition": td, "desiredCount": 1,
                "networkConfiguration": NETWORK}
        strategy = [{"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                    {"capacityProvider": "FARGATE_SPOT", "weight": 3}]
        svc = ecs.create_service(serviceName="web", capacityProviderStrategy=strategy,
                                 deploymentController={"type": "ECS"}, enableExecuteCommand=True,
                                 serviceRegistries=[{"registryArn": registry}], **base)["service"]
        got = ecs.describe_services(cluster="svc", services=["web"])["services"][0]
        self.assertEqual(got["capacityProviderStrategy"],
                         [{"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                          {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0}])
        self.assertNotIn("launchType", got)
        self.assertEqual((got["platformVersion"], got["deploymentController"],
                          got["enableExecuteCommand"], got["serviceRegistries"]),
                         ("LATEST", {"type": "ECS"}, True, [{"registryArn": registry}]))
        self.assertCode("InvalidParameterException", ecs.update_service, cluster="svc",
                        service="web", capacityProviderStrategy=strategy[1:])
        ecs.update_service(cluster="svc", service="web", capacityProviderStrategy=strategy[1:],
                           forceNewDeployment=True, serviceRegistries=[])
        got = ecs.describe_services(cluster="svc", services=["web"])["services"][0]
        self.assertEqual((got["capacityProviderStrategy"], got["serviceRegistries"]),
                         ([{"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0}], []))
        for bad in ({"launchType": "FARGATE", "capacityProviderStrategy": strategy},
                    {"capacityProviderStrategy": [{"capacityProvider": "OTHER", "weight": 1}]},
                    {"deploymentController": {"type": "BLUE"}},
                    {"serviceRegistries": [{"registryArn": registry + "x"}]}):
            self.assertCode("InvalidParameterException", ecs.create_service, serviceName="bad",
                            **dict(base, **bad))
        ecs.delete_service(cluster="svc", service=svc["serviceArn"], force=True)


if __name__ == "__main__":
    unittest.main()
