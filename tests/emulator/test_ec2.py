"""EC2 over HTTP (ec2 protocol): VPCs (tenancy, IPv6 blocks), subnets (CIDR rules), internet
gateways, Elastic IPs, NAT gateways (pending -> available -> deleting ->
deleted on the emulator clock), route tables, security groups and rules,
tags, filters, pagination, ClientToken idempotency and the
DependencyViolation rules, with EC2's own error codes."""

import threading
import unittest

import testclient as tc


class Ec2Case(tc.EmulatorCase):
    """One emulator per class (reset between tests), NAT delay 1 s on its clock."""

    server_options = {"nat_delay_ms": 1000}
    reset = True

    def call(self, action, params=None):
        return self.c.call_query("ec2", action, params or {})

    def ok(self, action, params=None):
        r = self.call(action, params)
        self.assertEqual(r.status, 200, r)
        return r

    def fails(self, code, action, params=None):
        r = self.call(action, params)
        self.assertEqual((r.status, r.error_code), (400, code), r)
        return r

    def vpc(self, cidr="10.0.0.0/16", **extra):
        p = {"CidrBlock": cidr}
        p.update(extra)
        return self.ok("CreateVpc", p).xml.findtext("vpc/vpcId")

    def subnet(self, vpc, cidr, az=None):
        p = {"VpcId": vpc, "CidrBlock": cidr}
        if az:
            p["AvailabilityZone"] = az
        return self.ok("CreateSubnet", p).xml.findtext("subnet/subnetId")

    def advance(self, seconds):
        self.emu.admin("POST", "clock", {"advance": seconds})


class VpcSubnetTest(Ec2Case):
    def test_vpc_round_trip_with_tags_and_attributes(self):
        r = self.ok("CreateVpc", {"CidrBlock": "10.1.0.0/16", "TagSpecification": [{
            "ResourceType": "vpc", "Tag": [{"Key": "Name", "Value": "main"}]}]})
        vid = r.xml.findtext("vpc/vpcId")
        self.assertRegex(vid, r"^vpc-[0-9a-f]{17}$")
        self.assertEqual(r.xml.findtext("vpc/tagSet/item/value"), "main")
        d = self.ok("DescribeVpcs", {"VpcId": [vid]})
        self.assertEqual(d.xml.findtext("vpcSet/item/cidrBlock"), "10.1.0.0/16")
        self.assertEqual(d.xml.findtext("vpcSet/item/state"), "available")
        self.ok("ModifyVpcAttribute", {"VpcId": vid, "EnableDnsHostnames": {"Value": "true"}})
        a = self.ok("DescribeVpcAttribute", {"VpcId": vid, "Attribute": "enableDnsHostnames"})
        self.assertEqual(a.xml.findtext("enableDnsHostnames/value"), "true")
        self.ok("DeleteVpc", {"VpcId": vid})
        self.fails("InvalidVpcID.NotFound", "DescribeVpcs", {"VpcId": [vid]})
        self.fails("InvalidVpcID.NotFound", "DeleteVpc", {"VpcId": vid})

    def test_vpc_cidr_validation(self):
        self.fails("InvalidVpc.Range", "CreateVpc", {"CidrBlock": "10.0.0.0/8"})
        self.fails("InvalidVpc.Range", "CreateVpc", {"CidrBlock": "10.0.0.0/29"})
        self.fails("InvalidParameterValue", "CreateVpc", {"CidrBlock": "10.0.0.300/16"})
        self.fails("MissingParameter", "CreateVpc", {})
        self.fails("InvalidVpcID.Malformed", "DescribeVpcs", {"VpcId": ["vpc-xyz"]})

    def test_filters(self):
        a = self.vpc("10.1.0.0/16", TagSpecification=[{"ResourceType": "vpc", "Tag": [
            {"Key": "Name", "Value": "alpha"}]}])
        b = self.vpc("10.2.0.0/16", TagSpecification=[{"ResourceType": "vpc", "Tag": [
            {"Key": "Name", "Value": "beta"}]}])

        def ids(filters):
            r = self.ok("DescribeVpcs", {"Filter": filters})
            return sorted(e.text for e in r.items("vpcSet/item/vpcId"))
        self.assertEqual(ids([{"Name": "tag:Name", "Value": ["alpha"]}]), [a])
        self.assertEqual(ids([{"Name": "tag:Name", "Value": ["alpha", "beta"]}]), sorted([a, b]))
        self.assertEqual(ids([{"Name": "tag:Name", "Value": ["b*"]}]), [b])
        self.assertEqual(ids([{"Name": "cidr-block-association.cidr-block",
                               "Value": ["10.2.0.0/16"]}]), [b])
        self.assertEqual(ids([{"Name": "vpc-id", "Value": [a]},
                              {"Name": "tag:Name", "Value": ["beta"]}]), [])
        s = self.subnet(a, "10.1.1.0/24")
        r = self.ok("DescribeSubnets", {"Filter": [{"Name": "vpc-id", "Value": [a]}]})
        self.assertEqual([e.text for e in r.items("subnetSet/item/subnetId")], [s])
        r = self.ok("DescribeSubnets", {"Filter": [{"Name": "vpc-id", "Value": [b]}]})
        self.assertEqual(r.items("subnetSet/item"), [])

    def test_pagination(self):
        made = [self.vpc("10.%d.0.0/16" % i) for i in range(7)]
        seen, pages = tc.query_pages(lambda p: self.ok("DescribeVpcs", p), {"MaxResults": "5"},
                                     "vpcSet/item/vpcId", "nextToken", "NextToken")
        self.assertEqual((pages, sorted(seen)), (2, sorted(made)))
        self.fails("InvalidParameterValue", "DescribeVpcs", {"MaxResults": "2"})
        self.fails("InvalidPaginationToken", "DescribeVpcs", {"MaxResults": "5",
                                                              "NextToken": "garbage"})

    def test_client_token_idempotency(self):
        p = {"CidrBlock": "10.5.0.0/16", "ClientToken": "tok-1"}
        first = self.ok("CreateVpc", p).xml.findtext("vpc/vpcId")
        again = self.ok("CreateVpc", p).xml.findtext("vpc/vpcId")
        self.assertEqual(first, again)
        self.assertEqual(len(self.emu.admin("GET", "inventory")[1]["ec2"]["vpc"]), 1)
        self.fails("IdempotentParameterMismatch", "CreateVpc",
                   {"CidrBlock": "10.6.0.0/16", "ClientToken": "tok-1"})

    def test_subnet_cidr_rules(self):
        v = self.vpc("10.0.0.0/16")
        self.subnet(v, "10.0.1.0/24")
        self.fails("InvalidSubnet.Range", "CreateSubnet", {"VpcId": v, "CidrBlock": "10.1.0.0/24"})
        self.fails("InvalidSubnet.Range", "CreateSubnet", {"VpcId": v, "CidrBlock": "10.0.2.0/29"})
        self.fails("InvalidSubnet.Conflict", "CreateSubnet", {"VpcId": v,
                                                              "CidrBlock": "10.0.1.128/25"})
        self.fails("InvalidVpcID.NotFound", "CreateSubnet", {"VpcId": "vpc-0123456789abcdef0",
                                                             "CidrBlock": "10.0.3.0/24"})
        self.fails("InvalidParameterValue", "CreateSubnet", {
            "VpcId": v, "CidrBlock": "10.0.3.0/24", "AvailabilityZone": "mars-1a"})

    def test_concurrent_creates_are_serialised(self):
        v = self.vpc()
        results = []

        def create(i):
            c = self.emu.client()
            results.append(c.call_query("ec2", "CreateSubnet", {
                "VpcId": v, "CidrBlock": "10.0.%d.0/24" % (i // 2)}).error_code)
        threads = [threading.Thread(target=create, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # two requests per CIDR: exactly one of each pair wins, the other conflicts
        self.assertEqual((results.count(None), results.count("InvalidSubnet.Conflict")), (8, 8))
        self.assertEqual(len(self.emu.admin("GET", "inventory")[1]["ec2"]["subnet"]), 8)

    def test_subnet_attribute_and_zone(self):
        v = self.vpc()
        s = self.subnet(v, "10.0.1.0/24", "ap-northeast-2c")
        self.ok("ModifySubnetAttribute", {"SubnetId": s, "MapPublicIpOnLaunch": {"Value": "true"}})
        r = self.ok("DescribeSubnets", {"SubnetId": [s]})
        self.assertEqual(r.xml.findtext("subnetSet/item/mapPublicIpOnLaunch"), "true")
        self.assertEqual(r.xml.findtext("subnetSet/item/availabilityZone"), "ap-northeast-2c")
        self.assertEqual(r.xml.findtext("subnetSet/item/availableIpAddressCount"), "251")
        self.ok("DeleteSubnet", {"SubnetId": s})
        self.fails("InvalidSubnetID.NotFound", "DescribeSubnets", {"SubnetId": [s]})

    def test_vpc_tenancy_changes_only_to_default(self):
        v = self.vpc(InstanceTenancy="dedicated")
        self.fails("InvalidParameterValue", "ModifyVpcTenancy",
                   {"VpcId": v, "InstanceTenancy": "dedicated"})
        self.fails("MissingParameter", "ModifyVpcTenancy", {"VpcId": v})
        self.fails("InvalidVpcID.NotFound", "ModifyVpcTenancy",
                   {"VpcId": "vpc-0123456789abcdef0", "InstanceTenancy": "default"})
        r = self.ok("ModifyVpcTenancy", {"VpcId": v, "InstanceTenancy": "default"})
        self.assertEqual(r.xml.findtext("return"), "true")
        d = self.ok("DescribeVpcs", {"VpcId": [v]})
        self.assertEqual(d.xml.findtext("vpcSet/item/instanceTenancy"), "default")

    def test_ipv6_blocks(self):
        v = self.vpc()
        s = self.subnet(v, "10.0.1.0/24")
        self.fails("InvalidSubnet.Range", "AssociateSubnetCidrBlock",
                   {"SubnetId": s, "Ipv6CidrBlock": "2600:1f00:1:100::/64"})
        self.fails("MissingParameter", "AssociateVpcCidrBlock", {"VpcId": v})
        self.fails("InvalidParameterValue", "AssociateVpcCidrBlock",
                   {"VpcId": v, "CidrBlock": "10.1.0.0/16"})
        r = self.ok("AssociateVpcCidrBlock", {"VpcId": v, "AmazonProvidedIpv6CidrBlock": "true"})
        block = r.xml.findtext("ipv6CidrBlockAssociation/ipv6CidrBlock")
        self.assertRegex(block, r"^2600:1f[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,2}00::/56$")
        self.fails("CidrLimitExceeded", "AssociateVpcCidrBlock",
                   {"VpcId": v, "AmazonProvidedIpv6CidrBlock": "true"})
        d = self.ok("DescribeVpcs", {"VpcId": [v]})
        self.assertEqual(d.xml.findtext("vpcSet/item/ipv6CidrBlockAssociationSet/item/"
                                        "ipv6CidrBlock"), block)
        first = block.replace("00::/56", "01::/64")
        self.fails("InvalidSubnet.Range", "AssociateSubnetCidrBlock",
                   {"SubnetId": s, "Ipv6CidrBlock": block})            # not a /64
        self.fails("InvalidParameterValue", "AssociateSubnetCidrBlock",
                   {"SubnetId": s, "Ipv6CidrBlock": "not-a-block"})
        r = self.ok("AssociateSubnetCidrBlock", {"SubnetId": s, "Ipv6CidrBlock": first})
        self.assertEqual(r.xml.findtext("ipv6CidrBlockAssociation/ipv6CidrBlockState/state"),
                         "associated")
        other = self.subnet(v, "10.0.2.0/24")
        self.fails("InvalidSubnet.Conflict", "AssociateSubnetCidrBlock",
                   {"SubnetId": other, "Ipv6CidrBlock": first})
        d = self.ok("DescribeSubnets", {"SubnetId": [s]})
        self.assertEqual(d.xml.findtext("subnetSet/item/ipv6CidrBlockAssociationSet/item/"
                                        "ipv6CidrBlock"), first)

    def test_dry_run(self):
        r = self.call("CreateVpc", {"CidrBlock": "10.0.0.0/16", "DryRun": "true"})
        self.assertEqual((r.status, r.error_code), (412, "DryRunOperation"))
        self.assertEqual(self.emu.admin("GET", "inventory")[1]["ec2"]["vpc"], [])


class GatewayTest(Ec2Case):
    def test_internet_gateway_rules(self):
        v = self.vpc()
        g = self.ok("CreateInternetGateway").xml.findtext("internetGateway/internetGatewayId")
        self.assertRegex(g, r"^igw-[0-9a-f]{17}$")
        self.ok("AttachInternetGateway", {"InternetGatewayId": g, "VpcId": v})
        r = self.ok("DescribeInternetGateways", {"Filter": [{"Name": "attachment.vpc-id",
                                                             "Value": [v]}]})
        self.assertEqual(r.xml.findtext("internetGatewaySet/item/attachmentSet/item/state"),
                         "available")
        self.fails("Resource.AlreadyAssociated", "AttachInternetGateway",
                   {"InternetGatewayId": g, "VpcId": v})
        self.fails("DependencyViolation", "DeleteInternetGateway", {"InternetGatewayId": g})
        self.fails("DependencyViolation", "DeleteVpc", {"VpcId": v})
        self.ok("DetachInternetGateway", {"InternetGatewayId": g, "VpcId": v})
        self.ok("DeleteInternetGateway", {"InternetGatewayId": g})
        self.fails("InvalidInternetGatewayID.NotFound", "DescribeInternetGateways",
                   {"InternetGatewayId": [g]})
        self.ok("DeleteVpc", {"VpcId": v})

    def test_vpc_with_subnet_or_group_cannot_be_deleted(self):
        v = self.vpc()
        s = self.subnet(v, "10.0.1.0/24")
        self.fails("DependencyViolation", "DeleteVpc", {"VpcId": v})
        self.ok("DeleteSubnet", {"SubnetId": s})
        sg = self.ok("CreateSecurityGroup", {"GroupName": "web", "GroupDescription": "w",
                                             "VpcId": v}).xml.findtext("groupId")
        self.fails("DependencyViolation", "DeleteVpc", {"VpcId": v})
        self.ok("DeleteSecurityGroup", {"GroupId": sg})
        self.ok("DeleteVpc", {"VpcId": v})
        inv = self.emu.admin("GET", "inventory")[1]["ec2"]
        self.assertEqual((inv["vpc"], inv["security_group"], inv["route_table"]), ([], [], []))

    def test_eip_and_nat_gateway_lifecycle(self):
        v = self.vpc()
        s = self.subnet(v, "10.0.1.0/24")
        # a public NAT gateway in a VPC without an internet gateway fails
        lone = self.ok("AllocateAddress", {"Domain": "vpc"}).xml.findtext("allocationId")
        bad = self.ok("CreateNatGateway", {"SubnetId": s, "AllocationId": lone}).xml.findtext(
            "natGateway/natGatewayId")
        self.advance(1.5)
        r = self.ok("DescribeNatGateways", {"NatGatewayId": [bad]})
        self.assertEqual((r.xml.findtext("natGatewaySet/item/state"),
                          r.xml.findtext("natGatewaySet/item/failureCode")),
                         ("failed", "Gateway.NotAttached"))
        g = self.ok("CreateInternetGateway").xml.findtext("internetGateway/internetGatewayId")
        self.ok("AttachInternetGateway", {"InternetGatewayId": g, "VpcId": v})
        r = self.ok("AllocateAddress", {"Domain": "vpc"})
        alloc = r.xml.findtext("allocationId")
        self.assertRegex(alloc, r"^eipalloc-[0-9a-f]{17}$")
        p = {"SubnetId": s, "AllocationId": alloc, "ClientToken": "nat-1"}
        nat = self.ok("CreateNatGateway", p).xml
        nid = nat.findtext("natGateway/natGatewayId")
        self.assertEqual(nat.findtext("natGateway/state"), "pending")
        self.assertEqual(self.ok("CreateNatGateway", p).xml.findtext("natGateway/natGatewayId"),
                         nid)
        self.fails("InvalidAllocationID.NotFound", "CreateNatGateway", {
            "SubnetId": s, "AllocationId": "eipalloc-0123456789abcdef0"})

        def state():
            return self.ok("DescribeNatGateways", {"NatGatewayId": [nid]}).xml.findtext(
                "natGatewaySet/item/state")
        self.assertEqual(state(), "pending")
        self.advance(1.5)
        self.assertEqual(state(), "available")
        r = self.ok("DescribeAddresses", {"AllocationId": [alloc]})
        self.assertTrue(r.xml.findtext("addressesSet/item/associationId"))
        self.fails("DependencyViolation", "DeleteSubnet", {"SubnetId": s})
        self.ok("DeleteNatGateway", {"NatGatewayId": nid})
        self.assertEqual(state(), "deleting")
        self.fails("DependencyViolation", "DeleteSubnet", {"SubnetId": s})
        self.advance(1.5)
        self.assertEqual(state(), "deleted")
        self.ok("ReleaseAddress", {"AllocationId": alloc})
        self.fails("InvalidAllocationID.NotFound", "DescribeAddresses", {"AllocationId": [alloc]})
        self.ok("DeleteSubnet", {"SubnetId": s})


class RouteTableTest(Ec2Case):
    def test_routes_and_associations(self):
        v = self.vpc()
        s = self.subnet(v, "10.0.1.0/24")
        g = self.ok("CreateInternetGateway").xml.findtext("internetGateway/internetGatewayId")
        rtb = self.ok("CreateRouteTable", {"VpcId": v}).xml.findtext("routeTable/routeTableId")
        self.assertRegex(rtb, r"^rtb-[0-9a-f]{17}$")
        self.fails("InvalidParameterValue", "CreateRoute", {
            "RouteTableId": rtb, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": g})
        self.ok("AttachInternetGateway", {"InternetGatewayId": g, "VpcId": v})
        self.ok("CreateRoute", {"RouteTableId": rtb, "DestinationCidrBlock": "0.0.0.0/0",
                                "GatewayId": g})
        self.fails("RouteAlreadyExists", "CreateRoute", {
            "RouteTableId": rtb, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": g})
        r = self.ok("DescribeRouteTables", {"RouteTableId": [rtb]})
        routes = {(e.findtext("destinationCidrBlock"), e.findtext("gatewayId"))
                  for e in r.items("routeTableSet/item/routeSet/item")}
        self.assertEqual(routes, {("10.0.0.0/16", "local"), ("0.0.0.0/0", g)})
        self.ok("ReplaceRoute", {"RouteTableId": rtb, "DestinationCidrBlock": "0.0.0.0/0",
                                 "GatewayId": g})
        self.fails("InvalidRoute.NotFound", "ReplaceRoute", {
            "RouteTableId": rtb, "DestinationCidrBlock": "192.168.0.0/16", "GatewayId": g})
        assoc = self.ok("AssociateRouteTable", {"RouteTableId": rtb, "SubnetId": s}).xml.findtext(
            "associationId")
        self.assertRegex(assoc, r"^rtbassoc-[0-9a-f]{17}$")
        r = self.ok("DescribeRouteTables", {"Filter": [{"Name": "association.subnet-id",
                                                        "Value": [s]}]})
        self.assertEqual([e.text for e in r.items("routeTableSet/item/routeTableId")], [rtb])
        self.fails("DependencyViolation", "DeleteRouteTable", {"RouteTableId": rtb})
        self.ok("DisassociateRouteTable", {"AssociationId": assoc})
        self.fails("InvalidAssociationID.NotFound", "DisassociateRouteTable",
                   {"AssociationId": assoc})
        self.ok("DeleteRoute", {"RouteTableId": rtb, "DestinationCidrBlock": "0.0.0.0/0"})
        self.fails("InvalidParameterValue", "DeleteRoute", {"RouteTableId": rtb,
                                                            "DestinationCidrBlock": "10.0.0.0/16"})
        self.ok("DeleteRouteTable", {"RouteTableId": rtb})
        self.fails("InvalidRouteTableID.NotFound", "DescribeRouteTables", {"RouteTableId": [rtb]})


class SecurityGroupTest(Ec2Case):
    def group(self, v, name="web"):
        return self.ok("CreateSecurityGroup", {"GroupName": name, "GroupDescription": "d",
                                               "VpcId": v}).xml.findtext("groupId")

    def test_group_rules_round_trip(self):
        v = self.vpc()
        sg = self.group(v)
        self.assertRegex(sg, r"^sg-[0-9a-f]{17}$")
        self.fails("InvalidGroup.Duplicate", "CreateSecurityGroup", {
            "GroupName": "web", "GroupDescription": "d", "VpcId": v})
        perm = {"IpPermissions": [{"IpProtocol": "tcp", "FromPort": "443", "ToPort": "443",
                                   "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}]}]}
        self.ok("AuthorizeSecurityGroupIngress", dict(perm, GroupId=sg))
        self.fails("InvalidPermission.Duplicate", "AuthorizeSecurityGroupIngress",
                   dict(perm, GroupId=sg))
        r = self.ok("DescribeSecurityGroupRules", {"Filter": [{"Name": "group-id",
                                                               "Value": [sg]}]})
        rules = {(e.findtext("isEgress"), e.findtext("ipProtocol"), e.findtext("fromPort"),
                  e.findtext("cidrIpv4")) for e in r.items("securityGroupRuleSet/item")}
        self.assertEqual(rules, {("false", "tcp", "443", "0.0.0.0/0"),
                                 ("true", "-1", "-1", "0.0.0.0/0")})
        self.assertRegex(r.xml.findtext("securityGroupRuleSet/item/securityGroupRuleId"),
                         r"^sgr-[0-9a-f]{17}$")
        self.ok("RevokeSecurityGroupEgress", {"GroupId": sg, "IpPermissions": [
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]})
        self.ok("RevokeSecurityGroupIngress", dict(perm, GroupId=sg))
        self.fails("InvalidPermission.NotFound", "RevokeSecurityGroupIngress",
                   dict(perm, GroupId=sg))
        r = self.ok("DescribeSecurityGroups", {"GroupId": [sg]})
        self.assertEqual(r.items("securityGroupInfo/item/ipPermissions/item"), [])
        self.assertEqual(r.items("securityGroupInfo/item/ipPermissionsEgress/item"), [])

    def test_rule_validation(self):
        v = self.vpc()
        sg = self.group(v)
        self.fails("InvalidParameterValue", "AuthorizeSecurityGroupIngress", {
            "GroupId": sg, "IpPermissions": [{"IpProtocol": "tcp", "FromPort": "80",
                                              "ToPort": "70000",
                                              "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]})
        self.fails("InvalidGroup.NotFound", "AuthorizeSecurityGroupIngress", {
            "GroupId": "sg-0123456789abcdef0", "IpPermissions": [{
                "IpProtocol": "tcp", "FromPort": "80", "ToPort": "80",
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]})

    def test_referenced_and_default_groups_cannot_be_deleted(self):
        v = self.vpc()
        web, db = self.group(v, "web"), self.group(v, "db")
        self.ok("AuthorizeSecurityGroupIngress", {"GroupId": db, "IpPermissions": [{
            "IpProtocol": "tcp", "FromPort": "5432", "ToPort": "5432",
            "Groups": [{"GroupId": web}]}]})
        self.fails("DependencyViolation", "DeleteSecurityGroup", {"GroupId": web})
        default = self.ok("DescribeSecurityGroups", {"Filter": [
            {"Name": "vpc-id", "Value": [v]}, {"Name": "group-name", "Value": ["default"]}]}
        ).xml.findtext("securityGroupInfo/item/groupId")
        self.fails("CannotDelete", "DeleteSecurityGroup", {"GroupId": default})
        self.ok("DeleteSecurityGroup", {"GroupId": db})
        self.ok("DeleteSecurityGroup", {"GroupId": web})


class TagsAndZonesTest(Ec2Case):
    def test_create_and_delete_tags(self):
        v = self.vpc()
        s = self.subnet(v, "10.0.1.0/24")
        self.ok("CreateTags", {"ResourceId": [v, s], "Tag": [{"Key": "env", "Value": "dev"},
                                                             {"Key": "team", "Value": "x"}]})
        r = self.ok("DescribeSubnets", {"Filter": [{"Name": "tag:env", "Value": ["dev"]}]})
        self.assertEqual([e.text for e in r.items("subnetSet/item/subnetId")], [s])
        self.ok("DeleteTags", {"ResourceId": [v], "Tag": [{"Key": "env"}]})
        r = self.ok("DescribeVpcs", {"VpcId": [v]})
        self.assertEqual({e.findtext("key"): e.findtext("value")
                          for e in r.items("vpcSet/item/tagSet/item")}, {"team": "x"})
        self.fails("InvalidVpcID.NotFound", "CreateTags", {
            "ResourceId": ["vpc-0123456789abcdef0"], "Tag": [{"Key": "a", "Value": "b"}]})
        self.assertEqual(self.emu.admin("GET", "inventory")[1]["ec2"]["subnet"][0]["tags"],
                         {"env": "dev", "team": "x"})

    def test_availability_zones(self):
        r = self.ok("DescribeAvailabilityZones")
        names = [e.text for e in r.items("availabilityZoneInfo/item/zoneName")]
        self.assertEqual(names[:2], ["ap-northeast-2a", "ap-northeast-2b"])
        self.assertEqual(r.xml.findtext("availabilityZoneInfo/item/zoneState"), "available")


if __name__ == "__main__":
    unittest.main()
