-- The types of issue 15 that find or guard what exists, for
-- scripts/moto-compare.sh (not run by `make test`): security group rules
-- of the older form (aws_security_group_rule: CIDR peers, a source group,
-- self, egress), a log group of the INFREQUENT_ACCESS class, and the
-- eleven lookup data sources finding this stack's own objects by
-- Terraform's arguments (ids, names, tags, filter blocks; read after the
-- objects through depends_on), each checked by a postcondition on what it
-- found. Region and endpoint come from the script's environment;
-- -var changed=true changes updatable arguments (the script's second apply).
local changed = var("changed", { type = "bool", default = false })
local function pick(before, after) if changed then return after end return before end
local function is(want) return { { condition = want, error_message = "the lookup found another object" } } end

local vpc = resource("aws_vpc", "main", { cidr_block = "10.9.0.0/16", tags = { Env = "lookup", Name = pick("a", "b") } })
local s1 = resource("aws_subnet", "pub1", { vpc_id = vpc.id, cidr_block = "10.9.1.0/24",
  availability_zone = "us-east-1a", tags = { Tier = "public" } })
local s2 = resource("aws_subnet", "pub2", { vpc_id = vpc.id, cidr_block = "10.9.2.0/24",
  availability_zone = "us-east-1b", tags = { Tier = "public" } })
local priv = resource("aws_subnet", "priv", { vpc_id = vpc.id, cidr_block = "10.9.3.0/24",
  availability_zone = "us-east-1a", tags = { Tier = "private" } })
local web = resource("aws_security_group", "web", { name = "l-web", description = "web", vpc_id = vpc.id })
local lbsg = resource("aws_security_group", "lb", { name = "l-lb", description = "lb", vpc_id = vpc.id })
resource("aws_security_group_rule", "https", { type = "ingress", security_group_id = web.id, protocol = "tcp",
  from_port = 443, to_port = 443, cidr_blocks = { "10.0.0.0/8", "192.168.0.0/16" }, description = pick("https", "tls") })
resource("aws_security_group_rule", "from_lb", { type = "ingress", security_group_id = web.id, protocol = "tcp",
  from_port = 8080, to_port = 8080, source_security_group_id = lbsg.id, description = "from lb" })
resource("aws_security_group_rule", "self", { type = "ingress", security_group_id = web.id, protocol = "-1",
  from_port = 0, to_port = 0, self = true })
resource("aws_security_group_rule", "out", { type = "egress", security_group_id = web.id, protocol = "tcp",
  from_port = 443, to_port = 443, cidr_blocks = { "0.0.0.0/0" } })
resource("aws_cloudwatch_log_group", "cold", { name = "/l/cold", log_group_class = "INFREQUENT_ACCESS",
  retention_in_days = pick(7, 14) })
local repo = resource("aws_ecr_repository", "app", { name = "l-app", image_tag_mutability = "IMMUTABLE" })
local cluster = resource("aws_ecs_cluster", "main", { name = "l-main" })
local lb = resource("aws_lb", "web", { name = "l-web", internal = true, subnets = { s1.id, s2.id },
  security_groups = { lbsg.id } })
local tg = resource("aws_lb_target_group", "app", { name = "l-app", port = 80, protocol = "HTTP", vpc_id = vpc.id,
  target_type = "ip" })
local topic = resource("aws_sns_topic", "alerts", { name = "l-alerts" })
local queue = resource("aws_sqs_queue", "jobs", { name = "l-jobs" })
local bucket = resource("aws_s3_bucket", "logs", { bucket = "l-lookup-logs", force_destroy = true })

local all = { depends_on = { vpc, s1, s2, priv, web, repo, cluster, lb, tg, topic, queue, bucket } }
local function after(checks) return { depends_on = all.depends_on, postcondition = checks } end
local found = data("aws_vpc", "by_tags", { tags = { Env = "lookup", Name = pick("a", "b") } },
  after(is(function(self) return self.cidr_block == "10.9.0.0/16" end)))
data("aws_vpc", "by_cidr", { cidr_block = "10.9.0.0/16", state = "available", default = false },
  after(is(function(self) return self.tags.Env == "lookup" end)))
data("aws_subnets", "public", { tags = { Tier = "public" }, filter = { { name = "vpc-id", values = { found.id } } } },
  after(is(function(self) return #self.ids == 2 end)))
data("aws_subnets", "none", { filter = { { name = "cidr-block", values = { "10.99.*" } } } },
  after(is(function(self) return #self.ids == 0 end)))
data("aws_subnet", "priv", { vpc_id = found.id, filter = { { name = "tag:Tier", values = { "priv*" } } } },
  after(is(function(self) return self.cidr_block == "10.9.3.0/24" and self.availability_zone == "us-east-1a" end)))
data("aws_security_group", "web", { name = "l-web", vpc_id = found.id },
  after(is(function(self) return self.description == "web" end)))
data("aws_ecr_repository", "app", { name = "l-app" },
  after(is(function(self) return self.image_tag_mutability == "IMMUTABLE" and self.repository_url ~= nil end)))
data("aws_ecs_cluster", "main", { cluster_name = "l-main" },
  after(is(function(self) return self.arn:match(":cluster/l%-main$") ~= nil end)))
data("aws_lb", "web", { name = "l-web" },
  after(is(function(self) return self.internal == true and self.dns_name ~= nil end)))
data("aws_lb_target_group", "app", { name = "l-app" },
  after(is(function(self) return self.port == 80 and self.target_type == "ip" end)))
data("aws_sns_topic", "alerts", { name = "l-alerts" },
  after(is(function(self) return self.arn:match(":l%-alerts$") ~= nil end)))
data("aws_sqs_queue", "jobs", { name = "l-jobs" },
  after(is(function(self) return self.url:match("/l%-jobs$") ~= nil end)))
data("aws_s3_bucket", "logs", { bucket = "l-lookup-logs" },
  after(is(function(self) return self.region == "us-east-1" end)))
output("web_sg_id", web.id)
