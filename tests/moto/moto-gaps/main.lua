-- Types of issue 14 that moto cannot run, for scripts/moto-compare.sh,
-- which expects this apply to fail: moto's DescribeVpcEndpoints lacks the
-- vpc-endpoint-id filter and DescribeNetworkAcls the network-acl-id filter
-- (both in the EC2 API reference), the filters luaform reads them by
-- (README "Against an independent emulator (moto)"). When moto gains them,
-- the script reports this stack as a difference: move these resources
-- into ../operate.
local vpc = resource("aws_vpc", "main", { cidr_block = "10.8.0.0/16", enable_dns_hostnames = true })
local a = resource("aws_subnet", "a", { vpc_id = vpc.id, cidr_block = "10.8.1.0/24", availability_zone = "us-east-1a" })
local b = resource("aws_subnet", "b", { vpc_id = vpc.id, cidr_block = "10.8.2.0/24", availability_zone = "us-east-1b" })
local rt = resource("aws_route_table", "private", { vpc_id = vpc.id })
local sg = resource("aws_security_group", "endpoints", { name = "g-endpoints", description = "endpoints", vpc_id = vpc.id })
resource("aws_vpc_endpoint", "s3", { vpc_id = vpc.id, service_name = "com.amazonaws.us-east-1.s3",
  route_table_ids = { rt.id }, tags = { Name = "s3" } })
resource("aws_vpc_endpoint", "ecr", { vpc_id = vpc.id, service_name = "com.amazonaws.us-east-1.ecr.api",
  vpc_endpoint_type = "Interface", private_dns_enabled = true, subnet_ids = { a.id }, security_group_ids = { sg.id } })
local acl = resource("aws_network_acl", "private", { vpc_id = vpc.id, subnet_ids = { b.id }, tags = { Name = "private" } })
resource("aws_network_acl_rule", "https", { network_acl_id = acl.id, rule_number = 100, protocol = "tcp",
  rule_action = "allow", cidr_block = "0.0.0.0/0", from_port = 443, to_port = 443 })
resource("aws_network_acl_rule", "out", { network_acl_id = acl.id, rule_number = 100, egress = true,
  protocol = "-1", rule_action = "allow", cidr_block = "0.0.0.0/0" })
