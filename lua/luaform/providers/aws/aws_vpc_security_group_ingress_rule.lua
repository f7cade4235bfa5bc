-- aws_vpc_security_group_ingress_rule: one ingress rule of a VPC security group,
-- with its own id, as Terraform's AWS provider has it (aws._sg_rule_type).
return require("luaform.providers.aws._sg_rule_type")("ingress")
