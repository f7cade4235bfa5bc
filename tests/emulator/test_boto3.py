"""boto3 (an independent AWS client) against a spawned emulator: one
representative round trip per service family plus an error code checked
through botocore's ClientError. boto3 parses responses with the AWS service
models, so a response it cannot parse is a wire-format bug in the emulator.
Skipped when boto3 is not importable (Debian: python3-boto3; tests/run.sh
uses /usr/bin/python3 when present)."""

import json
import os
import re
import unittest

import testclient as tc

try:
    import boto3
    import botocore.config
    import botocore.exceptions
    import botocore.session
except ImportError:          # pragma: no cover - depends on the machine
    boto3 = None

REGION = "ap-northeast-2"


# ---------------------------------------------------------------- strictness
# botocore ignores elements and keys its model does not know, so a misspelt
# member would go unnoticed; this walks every raw response against the
# operation's output shape and records what the model does not have.

# Members AWS added after Debian bookworm's botocore (1.29) model: known to
# newer models (checked with botocore 1.43), so not flagged with the old one.
NEWER_THAN_OLD_MODEL = {"ScalableTargetARN", "DeletionProtectionEnabled", "securityGroupArn",
                        "securityGroupRuleArn", "associationId", "isPrimary", "status",
                        "logGroupArn", "logGroupClass"}


def _local(tag):
    return tag.split("}", 1)[-1]


def _xml_name(name, shape):
    return shape.serialization.get("name", name)


def _check_xml(shape, elem, path, out):
    t = shape.type_name
    if t == "structure":
        by_name = {}
        for name, member in shape.members.items():
            if member.type_name == "list" and member.serialization.get("flattened"):
                by_name[_xml_name(name, member.member) if "name" in member.member.serialization
                        else _xml_name(name, member)] = (member, True)
            else:
                by_name[_xml_name(name, member)] = (member, False)
        for child in elem:
            tag = _local(child.tag)
            if tag not in by_name:
                out.append("%s/%s" % (path, tag))
                continue
            member, flat = by_name[tag]
            if flat:
                _check_xml(member.member, child, path + "/" + tag, out)
            else:
                _check_xml(member, child, path + "/" + tag, out)
    elif t == "list":
        item = shape.member.serialization.get("name", "member")
        for child in elem:
            if _local(child.tag) != item:
                out.append("%s/%s (expected %s)" % (path, _local(child.tag), item))
            else:
                _check_xml(shape.member, child, path + "/" + item, out)
    elif t == "map":
        flat = shape.serialization.get("flattened")
        entries = [elem] if flat else list(elem)
        for entry in entries:
            if not flat and _local(entry.tag) != "entry":
                out.append("%s/%s (expected entry)" % (path, _local(entry.tag)))
                continue
            for kv in entry:
                want = {shape.key.serialization.get("name", "key"): shape.key,
                        shape.value.serialization.get("name", "value"): shape.value}
                if _local(kv.tag) not in want:
                    out.append("%s/entry/%s" % (path, _local(kv.tag)))
                else:
                    _check_xml(want[_local(kv.tag)], kv, path + "/entry", out)


def _check_json(shape, value, path, out):
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        for k, v in value.items():
            if k not in shape.members:
                out.append("%s.%s" % (path, k))
            else:
                _check_json(shape.members[k], v, path + "." + k, out)
    elif t == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            _check_json(shape.member, v, "%s[%d]" % (path, i), out)
    elif t == "map" and isinstance(value, dict):
        for k, v in value.items():
            _check_json(shape.value, v, "%s[%s]" % (path, k), out)


def unknown_members(operation, body):
    """Elements/keys of a successful response that the output shape lacks."""
    import xml.etree.ElementTree as ET
    shape = operation.output_shape
    protocol = operation.metadata["protocol"]
    out = []
    if protocol not in ("json", "rest-json", "query", "ec2", "rest-xml"):
        return out
    if protocol == "rest-xml" and (shape is None or "payload" in shape.serialization):
        return out      # a payload (S3 GetObject) is a stream: reading it here would consume it
    body = body()
    if not body:
        return out
    if protocol in ("json", "rest-json"):
        if shape is not None:
            _check_json(shape, json.loads(body), operation.name, out)
        return out
    if protocol == "rest-xml":
        _check_xml(shape, ET.fromstring(body), operation.name, out)
        return out
    root = ET.fromstring(body)
    if protocol == "ec2":
        if shape is None:
            return out
        children = [c for c in root if _local(c.tag) != "requestId"]
        holder = ET.Element("x")
        holder.extend(children)
        _check_xml(shape, holder, operation.name, out)
        return out
    for child in root:
        tag = _local(child.tag)
        if tag == "ResponseMetadata":
            continue
        wrapper = shape.serialization.get("resultWrapper") if shape is not None else None
        if tag != wrapper:
            out.append("%s/%s (expected %s)" % (operation.name, tag, wrapper))
        else:
            _check_xml(shape, child, operation.name, out)
    return out
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


class Boto3Case:
    """A spawned emulator and boto3 clients on it that record response members the model
    lacks (mixed into unittest.TestCase; also used by test_boto3_platform)."""

    @classmethod
    def setUpClass(cls):
        cls.proc = tc.spawn_server("--nat-delay-ms", "200", "--lb-delay-ms", "200")
        cls.keys = cls.proc.credentials()
        # a session that reads no profile, environment or instance metadata
        cls.saved_env = dict(os.environ)
        for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE",
                    "AWS_SHARED_CREDENTIALS_FILE"):
            os.environ.pop(var, None)
        os.environ["AWS_CONFIG_FILE"] = os.devnull
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        cls.session = boto3.session.Session(aws_access_key_id=cls.keys[0],
                                            aws_secret_access_key=cls.keys[1],
                                            region_name=REGION)

    @classmethod
    def tearDownClass(cls):
        cls.proc.stop()
        os.environ.clear()
        os.environ.update(cls.saved_env)

    def setUp(self):
        self.unknown = []
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            getattr(c, "close", lambda: None)()
        self.assertEqual(self.unknown, [], "response members the AWS model does not have")

    def track(self, client):
        self.clients.append(client)
        return client

    def client(self, service, **kw):
        cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                     s3={"addressing_style": "path"},
                                     connect_timeout=5, read_timeout=10)
        client = self.session.client(service, endpoint_url=self.proc.url, config=cfg, **kw)

        def check(http_response, parsed, model, **_):
            if http_response.status_code < 300:
                self.unknown += [u for u in unknown_members(model, lambda: http_response.content)
                                 if re.split(r"[./]", u)[-1] not in NEWER_THAN_OLD_MODEL]
        client.meta.events.register("after-call.*.*", check)
        self.clients.append(client)
        return client

    def assertCode(self, code, fn, *args, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response)
        return cm.exception.response

    def advance(self, seconds):
        self.proc.admin("POST", "clock", {"advance": seconds})


@unittest.skipIf(boto3 is None, "boto3 is not installed (Debian package python3-boto3)")
class Boto3Test(Boto3Case, unittest.TestCase):
    # ------------------------------------------------------------ STS

    def test_sts(self):
        sts = self.client("sts")
        me = sts.get_caller_identity()
        self.assertEqual(me["Account"], "123456789012")
        self.assertTrue(me["Arn"].startswith("arn:aws:iam::123456789012:"))
        self.assertCode("AccessDenied", sts.assume_role,
                        RoleArn="arn:aws:iam::123456789012:role/none", RoleSessionName="ci")
        bad = boto3.session.Session(aws_access_key_id="AKIAUNKNOWN000000000",
                                    aws_secret_access_key="x", region_name=REGION)
        self.assertCode("InvalidClientTokenId",
                        self.track(bad.client("sts", endpoint_url=self.proc.url))
                        .get_caller_identity)

    def test_sts_assume_role_credentials_work(self):
        iam = self.client("iam")
        iam.create_role(RoleName="b3-assumable", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
                "AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}))
        creds = self.client("sts").assume_role(
            RoleArn="arn:aws:iam::123456789012:role/b3-assumable",
            RoleSessionName="ci")["Credentials"]
        temp = boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                     aws_secret_access_key=creds["SecretAccessKey"],
                                     aws_session_token=creds["SessionToken"], region_name=REGION)
        me = self.track(temp.client("sts", endpoint_url=self.proc.url)).get_caller_identity()
        self.assertEqual(me["Arn"], "arn:aws:sts::123456789012:assumed-role/b3-assumable/ci")

    # ------------------------------------------------------------ EC2

    def test_ec2_network(self):
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=[{
            "ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "b3"}]}])["Vpc"]
        vid = vpc["VpcId"]
        self.assertRegex(vid, r"^vpc-[0-9a-f]{17}$")
        got = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["b3"]}])["Vpcs"]
        self.assertEqual([v["VpcId"] for v in got], [vid])
        ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
        self.assertTrue(ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")
                        ["EnableDnsHostnames"]["Value"])
        zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
        sub = ec2.create_subnet(VpcId=vid, CidrBlock="10.20.1.0/24",
                                AvailabilityZone=zones[0])["Subnet"]
        ec2.modify_subnet_attribute(SubnetId=sub["SubnetId"], MapPublicIpOnLaunch={"Value": True})
        self.assertTrue(ec2.describe_subnets(SubnetIds=[sub["SubnetId"]])["Subnets"][0]
                        ["MapPublicIpOnLaunch"])
        self.assertCode("InvalidSubnet.Range", ec2.create_subnet, VpcId=vid,
                        CidrBlock="10.99.0.0/24")
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
        self.assertCode("DependencyViolation", ec2.delete_internet_gateway,
                        InternetGatewayId=igw)
        rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        assoc = ec2.associate_route_table(RouteTableId=rtb, SubnetId=sub["SubnetId"])
        routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
        self.assertIn(("0.0.0.0/0", igw), [(r.get("DestinationCidrBlock"), r.get("GatewayId"))
                                           for r in routes])
        eip = ec2.allocate_address(Domain="vpc")
        nat = ec2.create_nat_gateway(SubnetId=sub["SubnetId"], AllocationId=eip["AllocationId"],
                                     ClientToken="b3-nat")["NatGateway"]
        again = ec2.create_nat_gateway(SubnetId=sub["SubnetId"], AllocationId=eip["AllocationId"],
                                       ClientToken="b3-nat")["NatGateway"]
        self.assertEqual(again["NatGatewayId"], nat["NatGatewayId"])
        self.assertEqual(nat["State"], "pending")
        self.advance(1)
        self.assertEqual(ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])
                         ["NatGateways"][0]["State"], "available")
        self.assertCode("DependencyViolation", ec2.delete_subnet, SubnetId=sub["SubnetId"])
        sg = ec2.create_security_group(GroupName="b3-web", Description="web", VpcId=vid)
        ec2.authorize_security_group_ingress(GroupId=sg["GroupId"], IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}]}])
        rules = ec2.describe_security_group_rules(Filters=[
            {"Name": "group-id", "Values": [sg["GroupId"]]}])["SecurityGroupRules"]
        self.assertIn((False, 443, "0.0.0.0/0"), [(r["IsEgress"], r["FromPort"], r.get("CidrIpv4"))
                                                  for r in rules])
        ec2.revoke_security_group_egress(GroupId=sg["GroupId"], IpPermissions=[{
            "IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        ec2.create_tags(Resources=[sg["GroupId"]], Tags=[{"Key": "tier", "Value": "web"}])
        groups = ec2.describe_security_groups(Filters=[{"Name": "tag:tier", "Values": ["web"]}])
        self.assertEqual([g["GroupId"] for g in groups["SecurityGroups"]], [sg["GroupId"]])
        self.assertEqual(groups["SecurityGroups"][0]["IpPermissionsEgress"], [])
        self.assertCode("DependencyViolation", ec2.delete_vpc, VpcId=vid)
        # tear down in dependency order
        ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
        self.advance(1)
        ec2.release_address(AllocationId=eip["AllocationId"])
        ec2.disassociate_route_table(AssociationId=assoc["AssociationId"])
        ec2.delete_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0")
        ec2.delete_route_table(RouteTableId=rtb)
        ec2.delete_security_group(GroupId=sg["GroupId"])
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
        ec2.delete_internet_gateway(InternetGatewayId=igw)
        ec2.delete_subnet(SubnetId=sub["SubnetId"])
        ec2.delete_vpc(VpcId=vid)
        self.assertCode("InvalidVpcID.NotFound", ec2.describe_vpcs, VpcIds=[vid])

    def test_ec2_lookup_filters(self):
        """The filters the data sources aws_vpc, aws_subnet(s) and
        aws_security_group send, as AWS answers them (wildcards, booleans
        as "false", tag:KEY, an unknown name is InvalidParameterValue)."""
        ec2 = self.client("ec2")
        vid = ec2.create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
        zone = ec2.describe_availability_zones()["AvailabilityZones"][0]
        tier = [{"ResourceType": "subnet", "Tags": [{"Key": "Tier", "Value": "app"}]}]
        sid = ec2.create_subnet(VpcId=vid, CidrBlock="10.31.4.0/24",
                                AvailabilityZone=zone["ZoneName"],
                                TagSpecifications=tier)["Subnet"]["SubnetId"]
        gid = ec2.create_security_group(GroupName="lookup", Description="d", VpcId=vid)["GroupId"]

        def vpcs(*f):
            return [v["VpcId"] for v in ec2.describe_vpcs(Filters=list(f))["Vpcs"]]

        def subnets(*f):
            return [x["SubnetId"] for x in ec2.describe_subnets(Filters=list(f))["Subnets"]]

        def f(name, *values):
            return {"Name": name, "Values": list(values)}
        self.assertEqual(vpcs(f("cidr", "10.31.0.0/16"), f("is-default", "false"),
                              f("state", "available")), [vid])
        self.assertEqual(vpcs(f("cidr", "10.31.0.0/16"), f("is-default", "true")), [])
        self.assertEqual(subnets(f("vpc-id", vid), f("cidr-block", "10.31.*"), f("tag:Tier", "a?p"),
                                 f("availability-zone-id", zone["ZoneId"]),
                                 f("default-for-az", "false")), [sid])
        self.assertEqual(subnets(f("vpc-id", vid), f("availability-zone", "none-1x")), [])
        got = ec2.describe_security_groups(Filters=[f("group-name", "lookup"), f("vpc-id", vid)])
        self.assertEqual([g["GroupId"] for g in got["SecurityGroups"]], [gid])
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            ec2.describe_subnets(Filters=[f("no-such-filter", "x")])
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameterValue")

    def test_ec2_paginator(self):
        ec2 = self.client("ec2")
        ids = [ec2.create_vpc(CidrBlock="10.%d.0.0/16" % (100 + i))["Vpc"]["VpcId"]
               for i in range(7)]
        seen = []
        for page in ec2.get_paginator("describe_vpcs").paginate(PaginationConfig={"PageSize": 5}):
            self.assertLessEqual(len(page["Vpcs"]), 5)
            seen += [v["VpcId"] for v in page["Vpcs"]]
        self.assertTrue(set(ids) <= set(seen))
        for i in ids:
            ec2.delete_vpc(VpcId=i)

    def test_ec2_remaining_operations(self):
        ec2 = self.client("ec2")
        vid = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        igw = ec2.create_internet_gateway(TagSpecifications=[{
            "ResourceType": "internet-gateway", "Tags": [{"Key": "k", "Value": "v"}]}])[
            "InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
        got = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id",
                                                       "Values": [vid]}])["InternetGateways"]
        self.assertEqual([(g["InternetGatewayId"], g["Attachments"][0]["State"]) for g in got],
                         [(igw, "available")])
        eip = ec2.allocate_address(Domain="vpc")
        self.assertEqual(ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"]
                         [0]["PublicIp"], eip["PublicIp"])
        rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        self.assertCode("InvalidRoute.NotFound", ec2.replace_route, RouteTableId=rtb,
                        DestinationCidrBlock="192.168.0.0/16", GatewayId=igw)
        sg = ec2.create_security_group(GroupName="b3-x", Description="x", VpcId=vid)["GroupId"]
        perm = [{"IpProtocol": "udp", "FromPort": 53, "ToPort": 53,
                 "UserIdGroupPairs": [{"GroupId": sg}]}]
        ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=perm)
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=perm)
        g = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]
        self.assertEqual(g["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"], sg)
        ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=perm)
        self.assertCode("InvalidPermission.NotFound", ec2.revoke_security_group_ingress,
                        GroupId=sg, IpPermissions=perm)
        ec2.create_tags(Resources=[vid, igw], Tags=[{"Key": "env", "Value": "b3"}])
        ec2.delete_tags(Resources=[igw], Tags=[{"Key": "env"}])
        self.assertEqual(ec2.describe_vpcs(VpcIds=[vid])["Vpcs"][0]["Tags"],
                         [{"Key": "env", "Value": "b3"}])
        self.assertCode("InvalidGroup.Duplicate", ec2.create_security_group, GroupName="b3-x",
                        Description="x", VpcId=vid)
        self.assertCode("MissingParameter", ec2.create_vpc, CidrBlock="")
        ec2.delete_route_table(RouteTableId=rtb)
        ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=perm)
        ec2.delete_security_group(GroupId=sg)
        ec2.release_address(AllocationId=eip["AllocationId"])
        ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
        ec2.delete_internet_gateway(InternetGatewayId=igw)
        ec2.delete_vpc(VpcId=vid)

    # ------------------------------------------------------------ ELBv2

    def test_elbv2(self):
        ec2, elb = self.client("ec2"), self.client("elbv2")
        vid = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
        zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
        subs = [ec2.create_subnet(VpcId=vid, CidrBlock="10.30.%d.0/24" % i,
                                  AvailabilityZone=zones[i])["Subnet"]["SubnetId"]
                for i in range(2)]
        sg = ec2.create_security_group(GroupName="b3-alb", Description="alb",
                                       VpcId=vid)["GroupId"]
        lb = elb.create_load_balancer(Name="b3-alb", Subnets=subs, SecurityGroups=[sg],
                                      Tags=[{"Key": "env", "Value": "test"}])["LoadBalancers"][0]
        self.assertEqual(lb["State"]["Code"], "provisioning")
        self.assertRegex(lb["LoadBalancerArn"], r"^arn:aws:elasticloadbalancing:ap-northeast-2:"
                         r"123456789012:loadbalancer/app/b3-alb/[0-9a-f]{16}$")
        self.assertTrue(lb["DNSName"].endswith(".ap-northeast-2.elb.amazonaws.com"))
        self.assertCode("DuplicateLoadBalancerName", elb.create_load_balancer, Name="b3-alb",
                        Subnets=subs)
        self.advance(1)
        elb.get_waiter("load_balancer_available").wait(
            LoadBalancerArns=[lb["LoadBalancerArn"]], WaiterConfig={"Delay": 0.1})
        got = elb.describe_load_balancers(Names=["b3-alb"])["LoadBalancers"]
        self.assertEqual([(d["LoadBalancerArn"], d["State"]["Code"], d["Type"], d["Scheme"],
                           d["VpcId"], d["SecurityGroups"]) for d in got],
                         [(lb["LoadBalancerArn"], "active", "application", "internet-facing",
                           vid, [sg])])
        self.assertEqual(sorted(z["SubnetId"] for z in got[0]["AvailabilityZones"]), sorted(subs))
        tg = elb.create_target_group(Name="b3-tg", Protocol="HTTP", Port=8080, VpcId=vid,
                                     TargetType="ip", HealthCheckPath="/health",
                                     Matcher={"HttpCode": "200-299"})["TargetGroups"][0]
        elb.modify_target_group(TargetGroupArn=tg["TargetGroupArn"], HealthCheckIntervalSeconds=15)
        ls = elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                 DefaultActions=[{"Type": "forward",
                                                  "TargetGroupArn": tg["TargetGroupArn"]}]
                                 )["Listeners"][0]
        got = elb.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
        self.assertEqual([(t["TargetGroupArn"], t["HealthCheckIntervalSeconds"],
                           t["LoadBalancerArns"]) for t in got],
                         [(tg["TargetGroupArn"], 15, [lb["LoadBalancerArn"]])])
        self.assertCode("ResourceInUse", elb.delete_target_group,
                        TargetGroupArn=tg["TargetGroupArn"])
        elb.modify_listener(ListenerArn=ls["ListenerArn"], DefaultActions=[{
            "Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                   "StatusCode": "HTTP_301"}}])
        action = elb.describe_listeners(ListenerArns=[ls["ListenerArn"]])["Listeners"][0][
            "DefaultActions"][0]
        self.assertEqual((action["Type"], action["RedirectConfig"]["Port"]), ("redirect", "443"))
        fixed = elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=8081,
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {
                "StatusCode": "404", "ContentType": "text/plain",
                "MessageBody": "no"}}])["Listeners"][0]
        self.assertEqual(elb.delete_listener(ListenerArn=fixed["ListenerArn"])
                         ["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual([x["ListenerArn"] for x in elb.describe_listeners(
            LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]], [ls["ListenerArn"]])
        elb.add_tags(ResourceArns=[tg["TargetGroupArn"]], Tags=[{"Key": "a", "Value": "1"}])
        elb.remove_tags(ResourceArns=[lb["LoadBalancerArn"]], TagKeys=["env"])
        tags = elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"], tg["TargetGroupArn"]])
        self.assertEqual([d["Tags"] for d in tags["TagDescriptions"]],
                         [[], [{"Key": "a", "Value": "1"}]])
        attrs = elb.modify_load_balancer_attributes(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "120"}])["Attributes"]
        self.assertIn({"Key": "idle_timeout.timeout_seconds", "Value": "120"}, attrs)
        tattrs = elb.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])
        self.assertIn({"Key": "deregistration_delay.timeout_seconds", "Value": "300"},
                      tattrs["Attributes"])
        elb.modify_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"], Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}])
        self.assertEqual(elb.set_security_groups(LoadBalancerArn=lb["LoadBalancerArn"],
                                                 SecurityGroups=[sg])["SecurityGroupIds"], [sg])
        azs = elb.set_subnets(LoadBalancerArn=lb["LoadBalancerArn"], Subnets=subs)
        self.assertEqual(sorted(a["SubnetId"] for a in azs["AvailabilityZones"]), sorted(subs))
        self.assertEqual(elb.describe_load_balancer_attributes(
            LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"][0]["Key"],
            "access_logs.s3.bucket")
        elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
        elb.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
        self.assertCode("LoadBalancerNotFound", elb.describe_load_balancers,
                        LoadBalancerArns=[lb["LoadBalancerArn"]])
        self.assertCode("TargetGroupNotFound", elb.describe_target_groups, Names=["b3-tg"])
        self.assertCode("ListenerNotFound", elb.delete_listener, ListenerArn=ls["ListenerArn"])

    def test_elbv2_paginator_and_nlb(self):
        ec2, elb = self.client("ec2"), self.client("elbv2")
        vid = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
        arns = [elb.create_target_group(Name="b3-page-%d" % i, Protocol="TCP", Port=80 + i,
                                        VpcId=vid)["TargetGroups"][0]["TargetGroupArn"]
                for i in range(5)]
        seen = []
        for page in elb.get_paginator("describe_target_groups").paginate(
                PaginationConfig={"PageSize": 2}):
            self.assertLessEqual(len(page["TargetGroups"]), 2)
            seen += [t["TargetGroupArn"] for t in page["TargetGroups"]]
        self.assertTrue(set(arns) <= set(seen))
        sub = ec2.create_subnet(VpcId=vid, CidrBlock="10.50.1.0/24")["Subnet"]["SubnetId"]
        nlb = elb.create_load_balancer(Name="b3-nlb", Type="network", Scheme="internal",
                                       Subnets=[sub])["LoadBalancers"][0]
        self.assertEqual((nlb["Type"], nlb["Scheme"]), ("network", "internal"))
        elb.create_listener(LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TCP", Port=80,
                            DefaultActions=[{"Type": "forward", "TargetGroupArn": arns[0]}])
        self.assertCode("DuplicateListener", elb.create_listener,
                        LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TCP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": arns[1]}])
        self.assertCode("DependencyViolation", ec2.delete_subnet, SubnetId=sub)
        elb.delete_load_balancer(LoadBalancerArn=nlb["LoadBalancerArn"])
        for a in arns:
            elb.delete_target_group(TargetGroupArn=a)
        ec2.delete_subnet(SubnetId=sub)
        ec2.delete_vpc(VpcId=vid)

    # ------------------------------------------------------------ IAM

    def test_iam(self):
        iam = self.client("iam")
        role = iam.create_role(RoleName="b3-exec", AssumeRolePolicyDocument=TRUST,
                               Tags=[{"Key": "env", "Value": "test"}])["Role"]
        self.assertEqual(role["Arn"], "arn:aws:iam::123456789012:role/b3-exec")
        self.assertEqual(iam.get_role(RoleName="b3-exec")["Role"]["AssumeRolePolicyDocument"]
                         ["Statement"][0]["Action"], "sts:AssumeRole")
        policy = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
        iam.attach_role_policy(RoleName="b3-exec", PolicyArn=policy)
        self.assertEqual([p["PolicyArn"] for p in iam.list_attached_role_policies(
            RoleName="b3-exec")["AttachedPolicies"]], [policy])
        iam.update_assume_role_policy(RoleName="b3-exec", PolicyDocument=TRUST)
        iam.tag_role(RoleName="b3-exec", Tags=[{"Key": "team", "Value": "infra"}])
        self.assertCode("EntityAlreadyExists", iam.create_role, RoleName="b3-exec",
                        AssumeRolePolicyDocument=TRUST)
        self.assertCode("DeleteConflict", iam.delete_role, RoleName="b3-exec")
        iam.detach_role_policy(RoleName="b3-exec", PolicyArn=policy)
        iam.delete_role(RoleName="b3-exec")
        self.assertCode("NoSuchEntity", iam.get_role, RoleName="b3-exec")

    # ------------------------------------------------------------ SNS / SQS

    def test_sns_and_sqs(self):
        sns, sqs = self.client("sns"), self.client("sqs")
        q = sqs.create_queue(QueueName="b3-q", Attributes={"VisibilityTimeout": "45"},
                             tags={"env": "test"})["QueueUrl"]
        self.assertEqual(sqs.get_queue_url(QueueName="b3-q")["QueueUrl"], q)
        attrs = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        sqs.set_queue_attributes(QueueUrl=q, Attributes={"DelaySeconds": "5"})
        sqs.tag_queue(QueueUrl=q, Tags={"team": "infra"})
        self.assertEqual(sqs.list_queue_tags(QueueUrl=q)["Tags"], {"env": "test", "team": "infra"})
        self.assertIn(q, sqs.list_queues(QueueNamePrefix="b3-")["QueueUrls"])
        self.assertCode("InvalidAttributeValue", sqs.set_queue_attributes, QueueUrl=q,
                        Attributes={"VisibilityTimeout": "99999"})
        topic = sns.create_topic(Name="b3-topic", Tags=[{"Key": "env", "Value": "t"}])["TopicArn"]
        self.assertEqual(topic, "arn:aws:sns:ap-northeast-2:123456789012:b3-topic")
        sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="B3")
        self.assertEqual(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"],
                         "B3")
        q_arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q_arn,
                            ReturnSubscriptionArn=True)["SubscriptionArn"]
        self.assertEqual(sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
                         ["Endpoint"], q_arn)
        self.assertEqual([s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(
            TopicArn=topic)["Subscriptions"]], [sub])
        sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "team", "Value": "infra"}])
        sns.unsubscribe(SubscriptionArn=sub)
        sns.delete_topic(TopicArn=topic)
        self.assertCode("NotFound", sns.get_topic_attributes, TopicArn=topic)
        sqs.delete_queue(QueueUrl=q)
        self.assertCode("AWS.SimpleQueueService.NonExistentQueue", sqs.get_queue_url,
                        QueueName="b3-q")

    # ------------------------------------------------------------ ECS / ECR / Logs / AAS

    def test_ecs(self):
        ecs = self.client("ecs")
        ecs.create_cluster(clusterName="b3", tags=[{"key": "env", "value": "t"}])
        got = ecs.describe_clusters(clusters=["b3", "nope"], include=["TAGS"])
        self.assertEqual([(c["clusterName"], c["status"], c["activeServicesCount"], c["tags"])
                          for c in got["clusters"]],
                         [("b3", "ACTIVE", 0, [{"key": "env", "value": "t"}])])
        self.assertRegex(got["clusters"][0]["clusterArn"], r":cluster/b3$")
        self.assertEqual([(f["arn"].rsplit("/", 1)[-1], f["reason"]) for f in got["failures"]],
                         [("nope", "MISSING")])
        td = ecs.register_task_definition(
            family="b3-app", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
            cpu="256", memory="512", containerDefinitions=[{"name": "app", "image": "nginx",
                                                            "essential": True}])
        td_arn = td["taskDefinition"]["taskDefinitionArn"]
        self.assertTrue(td_arn.endswith(":task-definition/b3-app:1"))
        self.assertCode("ClientException", ecs.register_task_definition,
                        family="b3-bad", networkMode="awsvpc",
                        requiresCompatibilities=["FARGATE"], cpu="256", memory="4096",
                        containerDefinitions=[{"name": "app", "image": "nginx"}])
        svc = ecs.create_service(cluster="b3", serviceName="web", taskDefinition=td_arn,
                                 desiredCount=1, launchType="FARGATE", networkConfiguration={
                                     "awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"],
                                                             "assignPublicIp": "DISABLED"}})
        self.assertEqual(svc["service"]["status"], "ACTIVE")
        self.assertEqual(ecs.describe_clusters(clusters=["b3"])["clusters"][0]
                         ["activeServicesCount"], 1)
        ecs.update_service(cluster="b3", service="web", desiredCount=2)
        self.assertEqual(ecs.describe_services(cluster="b3", services=["web"])["services"][0]
                         ["desiredCount"], 2)
        self.assertEqual(len(ecs.list_services(cluster="b3")["serviceArns"]), 1)
        ecs.tag_resource(resourceArn=svc["service"]["serviceArn"],
                         tags=[{"key": "a", "value": "b"}])
        self.assertEqual(ecs.list_tags_for_resource(resourceArn=svc["service"]["serviceArn"])
                         ["tags"], [{"key": "a", "value": "b"}])
        self.assertCode("ClusterContainsServicesException", ecs.delete_cluster, cluster="b3")
        self.assertCode("ServiceNotFoundException", ecs.update_service, cluster="b3",
                        service="nope", desiredCount=1)
        ecs.update_service(cluster="b3", service="web", desiredCount=0)
        ecs.delete_service(cluster="b3", service="web")
        ecs.deregister_task_definition(taskDefinition=td_arn)
        ecs.describe_task_definition(taskDefinition=td_arn)
        self.advance(600)
        ecs.delete_cluster(cluster="b3")
        self.assertCode("ClusterNotFoundException", ecs.list_services, cluster="nope")

    def test_ecr(self):
        ecr = self.client("ecr")
        repo = ecr.create_repository(repositoryName="b3/app", imageTagMutability="IMMUTABLE",
                                     tags=[{"Key": "env", "Value": "t"}])["repository"]
        self.assertEqual(repo["repositoryUri"],
                         "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/b3/app")
        got = ecr.describe_repositories(repositoryNames=["b3/app"])["repositories"][0]
        self.assertEqual(got["imageTagMutability"], "IMMUTABLE")
        self.assertCode("RepositoryAlreadyExistsException", ecr.create_repository,
                        repositoryName="b3/app")
        ecr.delete_repository(repositoryName="b3/app")
        self.assertCode("RepositoryNotFoundException", ecr.describe_repositories,
                        repositoryNames=["b3/app"])

    def test_logs(self):
        logs = self.client("logs")
        logs.create_log_group(logGroupName="/b3/app", tags={"env": "t"})
        logs.put_retention_policy(logGroupName="/b3/app", retentionInDays=14)
        g = logs.describe_log_groups(logGroupNamePrefix="/b3/")["logGroups"]
        self.assertEqual([(x["logGroupName"], x["retentionInDays"]) for x in g],
                         [("/b3/app", 14)])
        self.assertCode("InvalidParameterException", logs.put_retention_policy,
                        logGroupName="/b3/app", retentionInDays=13)
        logs.delete_retention_policy(logGroupName="/b3/app")
        logs.create_log_stream(logGroupName="/b3/app", logStreamName="s1")
        self.assertEqual([s["logStreamName"] for s in logs.describe_log_streams(
            logGroupName="/b3/app")["logStreams"]], ["s1"])
        arn = g[0]["arn"].rstrip("*").rstrip(":")
        logs.tag_resource(resourceArn=arn, tags={"team": "infra"})
        self.assertEqual(logs.list_tags_for_resource(resourceArn=arn)["tags"],
                         {"env": "t", "team": "infra"})
        self.assertCode("ResourceAlreadyExistsException", logs.create_log_group,
                        logGroupName="/b3/app")
        logs.delete_log_stream(logGroupName="/b3/app", logStreamName="s1")
        logs.delete_log_group(logGroupName="/b3/app")
        self.assertCode("ResourceNotFoundException", logs.delete_log_group,
                        logGroupName="/b3/app")

    def test_application_autoscaling(self):
        aas = self.client("application-autoscaling")
        rid = "service/b3/web"
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=rid,
                                     ScalableDimension="ecs:service:DesiredCount",
                                     MinCapacity=1, MaxCapacity=4)
        t = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[rid])
        self.assertEqual([(x["MinCapacity"], x["MaxCapacity"]) for x in t["ScalableTargets"]],
                         [(1, 4)])
        pol = aas.put_scaling_policy(
            PolicyName="cpu", ServiceNamespace="ecs", ResourceId=rid,
            ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 60.0, "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
        self.assertIn("scalingPolicy", pol["PolicyARN"])
        got = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=rid)
        self.assertEqual([p["PolicyName"] for p in got["ScalingPolicies"]], ["cpu"])
        aas.delete_scaling_policy(PolicyName="cpu", ServiceNamespace="ecs", ResourceId=rid,
                                  ScalableDimension="ecs:service:DesiredCount")
        self.assertCode("ObjectNotFoundException", aas.delete_scaling_policy, PolicyName="cpu",
                        ServiceNamespace="ecs", ResourceId=rid,
                        ScalableDimension="ecs:service:DesiredCount")
        aas.deregister_scalable_target(ServiceNamespace="ecs", ResourceId=rid,
                                       ScalableDimension="ecs:service:DesiredCount")
        self.assertEqual(aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"],
                         [])

    # ------------------------------------------------------------ S3 / DynamoDB

    def test_s3_conditional_writes(self):
        s3 = self.client("s3")
        s3.create_bucket(Bucket="b3-state", CreateBucketConfiguration={
            "LocationConstraint": REGION})
        put = s3.put_object(Bucket="b3-state", Key="env/dev.json", Body=b'{"serial":1}')
        self.assertEqual(s3.get_object(Bucket="b3-state", Key="env/dev.json")["Body"].read(),
                         b'{"serial":1}')
        head = s3.head_object(Bucket="b3-state", Key="env/dev.json")
        self.assertEqual((head["ContentLength"], head["ETag"]), (12, put["ETag"]))
        extra = {}

        def add_headers(request, **_):
            for k, v in extra.items():
                request.headers[k] = v
        s3.meta.events.register("before-sign.s3.PutObject", add_headers)
        extra.clear()
        extra["If-None-Match"] = "*"
        self.assertCode("PreconditionFailed", s3.put_object, Bucket="b3-state",
                        Key="env/dev.json", Body=b"x")
        extra.clear()
        extra["If-Match"] = '"0123456789abcdef0123456789abcdef"'
        r = self.assertCode("PreconditionFailed", s3.put_object, Bucket="b3-state",
                            Key="env/dev.json", Body=b"x")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 412)
        extra.clear()
        extra["If-Match"] = put["ETag"]
        s3.put_object(Bucket="b3-state", Key="env/dev.json", Body=b'{"serial":2}')
        extra.clear()
        listed = s3.list_objects_v2(Bucket="b3-state", Prefix="env/")
        self.assertEqual([o["Key"] for o in listed["Contents"]], ["env/dev.json"])
        s3.delete_object(Bucket="b3-state", Key="env/dev.json")
        self.assertCode("NoSuchKey", s3.get_object, Bucket="b3-state", Key="env/dev.json")
        self.assertCode("404", s3.head_object, Bucket="b3-state", Key="env/dev.json")

    def test_dynamodb_lock(self):
        ddb = self.client("dynamodb")
        ddb.create_table(TableName="b3-locks", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}])
        item = {"LockID": {"S": "env/dev"}, "Who": {"S": "ci"}}
        ddb.put_item(TableName="b3-locks", Item=item,
                     ConditionExpression="attribute_not_exists(LockID)")
        self.assertCode("ConditionalCheckFailedException", ddb.put_item, TableName="b3-locks",
                        Item=item, ConditionExpression="attribute_not_exists(LockID)")
        got = ddb.get_item(TableName="b3-locks", Key={"LockID": {"S": "env/dev"}},
                           ConsistentRead=True)["Item"]
        self.assertEqual(got["Who"], {"S": "ci"})
        self.assertCode("ConditionalCheckFailedException", ddb.delete_item, TableName="b3-locks",
                        Key={"LockID": {"S": "env/dev"}}, ConditionExpression="Who = :w",
                        ExpressionAttributeValues={":w": {"S": "someone-else"}})
        ddb.delete_item(TableName="b3-locks", Key={"LockID": {"S": "env/dev"}},
                        ConditionExpression="Who = :w",
                        ExpressionAttributeValues={":w": {"S": "ci"}})
        self.assertNotIn("Item", ddb.get_item(TableName="b3-locks",
                                              Key={"LockID": {"S": "env/dev"}}))
        self.assertCode("ResourceNotFoundException", ddb.get_item, TableName="nope",
                        Key={"LockID": {"S": "x"}})


if __name__ == "__main__":
    unittest.main()
