-- aws._ecs_task_target: the EcsParameters block of a target that runs an ECS
-- task, whose shape EventBridge (aws_cloudwatch_event_target's ecs_target)
-- and EventBridge Scheduler (aws_scheduler_schedule's ecs_parameters) share:
-- its fields once. A type names the kind of the network lists (Terraform has
-- lists on event targets, sets on schedules) and adds the members only its
-- API has.
return function(collection, extra)
  local block = {
    task_definition_arn = { type = "string", required = true, wire = "TaskDefinitionArn" },
    task_count = { type = "number", optional = true, default = 1, wire = "TaskCount" },
    launch_type = { type = "string", optional = true, wire = "LaunchType" },
    platform_version = { type = "string", optional = true, wire = "PlatformVersion" },
    group = { type = "string", optional = true, wire = "Group" },
    propagate_tags = { type = "string", optional = true, wire = "PropagateTags" },
    enable_ecs_managed_tags = { type = "bool", optional = true, default = false, wire = "EnableECSManagedTags" },
    enable_execute_command = { type = "bool", optional = true, default = false, wire = "EnableExecuteCommand" },
    network_configuration = { type = "list", max_items = 1, optional = true,
      wire = "NetworkConfiguration.awsvpcConfiguration",
      block = { subnets = { type = collection, elem = "string", required = true, wire = "Subnets" },
                security_groups = { type = collection, elem = "string", optional = true, wire = "SecurityGroups" },
                assign_public_ip = { type = "bool", optional = true, default = false, wire = "AssignPublicIp",
                  from_wire = function(v) return v == "ENABLED" end,
                  to_wire = function(v) return v and "ENABLED" or "DISABLED" end } } },
  }
  for k, f in pairs(extra or {}) do block[k] = f end
  return { type = "list", max_items = 1, optional = true, wire = "EcsParameters", block = block }
end
