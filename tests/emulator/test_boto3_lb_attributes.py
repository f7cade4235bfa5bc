"""boto3 against a spawned emulator for aws_lb's attributes and subnet mappings (issue 13):
access logs need a bucket of the region whose policy lets Elastic Load Balancing write (the
region's ELB account for an application load balancer, delivery.logs.amazonaws.com for a
network one; InvalidConfigurationRequest otherwise), deletion protection stops DeleteLoadBalancer
(OperationNotPermitted), and subnet mappings carry an Elastic IP (internet-facing network
load balancer) or a private IPv4 address (internal one), shown in LoadBalancerAddresses;
a network load balancer's subnets may be added, not removed or readdressed."""

import json
import unittest

from test_boto3 import REGION, Boto3Case, boto3

ELB_ACCOUNT = "600734575887"   # Elastic Load Balancing's account in ap-northeast-2


@unittest.skipIf(boto3 is None, "boto3 is not installed (Debian package python3-boto3)")
class LbAttributesTest(Boto3Case, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.proc.admin("POST", "reset")
        ec2 = self.ec2 = self.client("ec2")
        self.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=self.vpc)
        self.subnets = [ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.0.%d.0/24" % i,
                                          AvailabilityZone=REGION + z)["Subnet"]["SubnetId"]
                        for i, z in ((1, "a"), (2, "b"), (3, "c"))]
        self.elb = self.client("elbv2")

    def alb(self):
        return self.elb.create_load_balancer(Name="web", Subnets=self.subnets[:2])[
            "LoadBalancers"][0]["LoadBalancerArn"]

    def attrs(self, arn):
        out = self.elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        return {a["Key"]: a["Value"] for a in out}

    def test_access_logs_need_a_bucket_elb_may_write(self):
        arn = self.alb()
        s3 = self.client("s3")
        logs = [{"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": "lb-logs"}]
        modify = self.elb.modify_load_balancer_attributes
        self.assertCode("ValidationError", modify, LoadBalancerArn=arn, Attributes=logs[:1])
        self.assertCode("InvalidConfigurationRequest", modify, LoadBalancerArn=arn,
                        Attributes=logs)
        s3.create_bucket(Bucket="lb-logs",
                         CreateBucketConfiguration={"LocationConstraint": REGION})
        err = self.assertCode("InvalidConfigurationRequest", modify, LoadBalancerArn=arn,
                              Attributes=logs)
        self.assertEqual(err["Error"]["Message"],
                         "Access Denied for bucket: lb-logs. Please check S3bucket permission")
        self.assertEqual(self.attrs(arn)["access_logs.s3.enabled"], "false")
        s3.put_bucket_policy(Bucket="lb-logs", Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ELB_ACCOUNT},
                "Action": "s3:PutObject", "Resource": "arn:aws:s3:::lb-logs/*"}]}))
        modify(LoadBalancerArn=arn, Attributes=logs + [
            {"Key": "access_logs.s3.prefix", "Value": "web"}])
        got = self.attrs(arn)
        self.assertEqual((got["access_logs.s3.enabled"], got["access_logs.s3.bucket"],
                          got["access_logs.s3.prefix"]), ("true", "lb-logs", "web"))
        # a network load balancer's logs are delivered by delivery.logs.amazonaws.com
        nlb = self.elb.create_load_balancer(Name="net", Type="network", Subnets=self.subnets[:1])[
            "LoadBalancers"][0]["LoadBalancerArn"]
        self.assertCode("InvalidConfigurationRequest", modify, LoadBalancerArn=nlb,
                        Attributes=logs)
        s3.put_bucket_policy(Bucket="lb-logs", Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": "s3:PutObject", "Resource": "arn:aws:s3:::lb-logs/*"}]}))
        modify(LoadBalancerArn=nlb, Attributes=logs)
        self.assertEqual(self.attrs(nlb)["access_logs.s3.enabled"], "true")

    def test_deletion_protection_stops_the_delete(self):
        arn = self.alb()
        self.elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
            {"Key": "deletion_protection.enabled", "Value": "true"}])
        self.assertCode("OperationNotPermitted", self.elb.delete_load_balancer,
                        LoadBalancerArn=arn)
        self.elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
            {"Key": "deletion_protection.enabled", "Value": "false"}])
        self.elb.delete_load_balancer(LoadBalancerArn=arn)
        self.assertEqual(self.elb.describe_load_balancers()["LoadBalancers"], [])

    def test_subnet_mappings_carry_addresses(self):
        eip = self.ec2.allocate_address(Domain="vpc")
        create = self.elb.create_load_balancer
        # an application load balancer takes no addresses
        self.assertCode("InvalidConfigurationRequest", create, Name="app", SubnetMappings=[
            {"SubnetId": self.subnets[0], "AllocationId": eip["AllocationId"]},
            {"SubnetId": self.subnets[1]}])
        nlb = create(Name="net", Type="network", SubnetMappings=[
            {"SubnetId": self.subnets[0], "AllocationId": eip["AllocationId"]}])[
            "LoadBalancers"][0]
        addr = nlb["AvailabilityZones"][0]["LoadBalancerAddresses"][0]
        self.assertEqual((addr["AllocationId"], addr["IpAddress"]),
                         (eip["AllocationId"], eip["PublicIp"]))
        # an Elastic IP is for internet-facing ones, a private address for internal ones
        self.assertCode("InvalidConfigurationRequest", create, Name="inner", Type="network",
                        Scheme="internal", SubnetMappings=[
                            {"SubnetId": self.subnets[0], "AllocationId": eip["AllocationId"]}])
        self.assertCode("InvalidConfigurationRequest", create, Name="inner", Type="network",
                        Scheme="internal", SubnetMappings=[
                            {"SubnetId": self.subnets[0], "PrivateIPv4Address": "10.0.9.10"}])
        inner = create(Name="inner", Type="network", Scheme="internal", SubnetMappings=[
            {"SubnetId": self.subnets[0], "PrivateIPv4Address": "10.0.1.10"}])["LoadBalancers"][0]
        arn = inner["LoadBalancerArn"]
        self.assertEqual(inner["AvailabilityZones"][0]["LoadBalancerAddresses"][0]
                         ["PrivateIPv4Address"], "10.0.1.10")
        # subnets may be added; a kept one keeps its address
        out = self.elb.set_subnets(LoadBalancerArn=arn, SubnetMappings=[
            {"SubnetId": self.subnets[0], "PrivateIPv4Address": "10.0.1.10"},
            {"SubnetId": self.subnets[1], "PrivateIPv4Address": "10.0.2.10"}])
        self.assertEqual(len(out["AvailabilityZones"]), 2)
        self.assertCode("InvalidConfigurationRequest", self.elb.set_subnets, LoadBalancerArn=arn,
                        SubnetMappings=[{"SubnetId": self.subnets[0],
                                         "PrivateIPv4Address": "10.0.1.11"},
                                        {"SubnetId": self.subnets[1]}])
        self.assertCode("InvalidConfigurationRequest", self.elb.set_subnets, LoadBalancerArn=arn,
                        Subnets=[self.subnets[1]])


if __name__ == "__main__":
    unittest.main()
