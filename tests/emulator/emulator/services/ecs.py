"""ECS (json 1.1, AmazonEC2ContainerServiceV20141113): clusters, task definitions, services, tags.

Per region: clusters by name, task definition families with numbered revisions, services by
cluster ARN and name, tags by ARN. Deleted clusters stay INACTIVE (DescribeClusters still
answers them). Task definitions are echoed with the defaults AWS adds to container
definitions (essential, cpu 0, empty environment/mountPoints/volumesFrom/systemControls,
portMappings protocol tcp and hostPort = containerPort under awsvpc, healthCheck interval 30,
timeout 5 and retries 3) and Fargate cpu/memory
pairs are checked against the documented table.

Service lifecycle, computed from the emulator clock at read time (stored timestamps only, so a
reloaded state gives the same answer): a deployment's tasks are all running STEADY_SECONDS after
it started, and then the older deployments disappear (rolloutState COMPLETED); DeleteService
marks the service DRAINING and it reads INACTIVE --drain-delay-ms later (default 2 s; kept
with the service, so a later change of the flag does not move it). While a service drains, its
name cannot be used by CreateService ("Unable to Start a service that is still Draining.").

Cluster configuration (ECS Exec logging) is answered only with include CONFIGURATIONS, as AWS
does; serviceConnectDefaults and a service's serviceRegistries must name Cloud Map objects the
emulator holds. A service's capacityProviderStrategy may name only providers associated with its
cluster and excludes launchType. Task definition volumes are bind mounts (host.sourcePath, an
empty host when none) or EFS (transit encryption required by IAM authorization or an access
point; rootDirectory "/" when left out, as AWS answers); ephemeralStorage is 21-200 GiB.
"""
import re
import uuid

from ..core import AwsError, Service
from ._common import add_tags, as_int, as_list, paged, region_store, remove_tags, \
    tags_out

STEADY_SECONDS = 1.0
DRAIN_SECONDS = 2.0     # without --drain-delay-ms (the emulator's config)
NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
FARGATE_MEMORY = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4097, 1024)),
    1024: list(range(2048, 8193, 1024)),
    2048: list(range(4096, 16385, 1024)),
    4096: list(range(8192, 30721, 1024)),
    8192: list(range(16384, 61441, 4096)),
    16384: list(range(32768, 122881, 8192)),
}
NETWORK_MODES = ("bridge", "host", "awsvpc", "none")
COMPATIBILITIES = ("EC2", "FARGATE", "EXTERNAL")
CONTROLLERS = ("ECS", "CODE_DEPLOY", "EXTERNAL")
EXEC_LOGGING = ("NONE", "DEFAULT", "OVERRIDE")
SERVICE_ROLE = "arn:aws:iam::%s:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"


def _invalid(msg):
    return AwsError("InvalidParameterException", msg)


def _client(msg):
    return AwsError("ClientException", msg)


def _require(params, name):
    value = params.get(name)
    if value in (None, "", []):
        raise _invalid("%s can not be blank." % name)
    return value


def _units(value, name, unit_word):
    """Task cpu ("256", "0.25 vCPU") or memory ("512", "1 GB") as an integer of units."""
    text = str(value).strip()
    m = re.match(r"^(\d+(?:\.\d+)?)\s*(%s)?$" % unit_word, text, re.IGNORECASE)
    if not m:
        raise _client("Invalid '%s' setting for task." % name)
    number = float(m.group(1))
    return int(number * 1024) if m.group(2) else int(number)


def _tags_in(value):
    tags = {}
    for t in as_list(value):
        if not isinstance(t, dict) or not t.get("key"):
            raise _invalid("Tag keys must be specified.")
        if len(t["key"]) > 128 or len(t.get("value", "")) > 256:
            raise _invalid("Tag key or value is too long.")
        tags[t["key"]] = t.get("value", "")
    if len(tags) > 50:
        raise _invalid("Too many tags: at most 50 tags per resource.")
    return tags


def _tags_out(tags):
    return tags_out(tags, "key", "value")


def _status_at(s, now):
    """A service's status at emulator time `now` (DRAINING turns INACTIVE by itself)."""
    drain = s.get("drain_seconds", DRAIN_SECONDS)
    if s["status"] == "DRAINING" and now - s["drained_at"] >= drain:
        return "INACTIVE"
    return s["status"]


class ECS(Service):
    name = "ecs"
    protocol = "json"
    json_version = "1.1"
    target_prefix = "AmazonEC2ContainerServiceV20141113"
    throttle_code = "ThrottlingException"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "clusters", "families", "services", "tags")

    def _arn(self, ctx, resource):
        return "arn:aws:ecs:%s:%s:%s" % (ctx.region, ctx.account_id, resource)

    # -- clusters ------------------------------------------------------------------------

    def _cluster_name(self, ref):
        ref = ref or "default"
        return ref.split(":cluster/", 1)[1] if ":cluster/" in ref else ref

    def _cluster(self, ctx, ref, active=True):
        c = self._r(ctx)["clusters"].get(self._cluster_name(ref))
        if c is None or not ctx.visible(c["created"]) or (active and c["status"] != "ACTIVE"):
            raise AwsError("ClusterNotFoundException", "Cluster not found.")
        return c

    def _cluster_out(self, ctx, c, include=()):
        live = [s for s in self._r(ctx)["services"].get(c["arn"], {}).values()
                if self._status(ctx, s) == "ACTIVE"]
        out = {
            "clusterArn": c["arn"], "clusterName": c["name"], "status": c["status"],
            "registeredContainerInstancesCount": 0, "runningTasksCount":
                sum(self._running(ctx, s) for s in live),
            "pendingTasksCount": 0, "activeServicesCount": len(live), "statistics": [],
            "capacityProviders": c["capacityProviders"],
            "defaultCapacityProviderStrategy": c["defaultCapacityProviderStrategy"],
            "settings": c["settings"],
        }
        if c.get("configuration") and "CONFIGURATIONS" in include:
            out["configuration"] = c["configuration"]
        if c.get("serviceConnectDefaults"):
            out["serviceConnectDefaults"] = c["serviceConnectDefaults"]
        out["tags"] = _tags_out(self._r(ctx)["tags"].get(c["arn"], {})) if "TAGS" in include else []
        return out

    def _settings(self, value):
        settings = {"containerInsights": "disabled"}
        for s in as_list(value):
            if s.get("name") != "containerInsights" or \
                    s.get("value") not in ("enabled", "disabled", "enhanced"):
                raise _invalid("Cluster setting is not valid: %s" % s)
            settings[s["name"]] = s["value"]
        return [{"name": k, "value": v} for k, v in settings.items()]

    def CreateCluster(self, ctx, params):
        name = params.get("clusterName", "default")
        if not NAME.match(name):
            raise _invalid("Cluster name can only contain letters, numbers, hyphens and "
                           "underscores, up to 255 characters.")
        r = self._r(ctx)
        c = r["clusters"].get(name)
        tags = _tags_in(params.get("tags"))
        if c is not None and c["status"] == "ACTIVE":
            return {"cluster": self._cluster_out(ctx, c)}
        arn = self._arn(ctx, "cluster/" + name)
        c = {"name": name, "arn": arn, "status": "ACTIVE", "created": ctx.now(),
             "settings": self._settings(params.get("settings")),
             "capacityProviders": as_list(params.get("capacityProviders")),
             "defaultCapacityProviderStrategy":
                 as_list(params.get("defaultCapacityProviderStrategy")),
             "configuration": self._configuration(params.get("configuration")),
             "serviceConnectDefaults": self._connect_defaults(
                 ctx, params.get("serviceConnectDefaults"))}
        r["clusters"][name] = c
        r["tags"][arn] = tags
        return {"cluster": self._cluster_out(ctx, c, ("TAGS", "CONFIGURATIONS"))}

    @staticmethod
    def _configuration(value):
        """executeCommandConfiguration: logging NONE, DEFAULT (the default) or OVERRIDE, with a
        logConfiguration exactly when OVERRIDE; {} (or none) is no configuration."""
        exec_cfg = (value or {}).get("executeCommandConfiguration")
        if not exec_cfg:
            return None
        out = dict(exec_cfg)
        out["logging"] = out.get("logging") or "DEFAULT"
        if out["logging"] not in EXEC_LOGGING:
            raise _invalid("executeCommandConfiguration.logging must be one of NONE, DEFAULT, "
                           "OVERRIDE.")
        if (out["logging"] == "OVERRIDE") != bool(out.get("logConfiguration")):
            raise _invalid("logConfiguration must be specified when, and only when, logging is "
                           "OVERRIDE.")
        return {"executeCommandConfiguration": out}

    def _cloud_map(self):
        emu = getattr(self, "emulator", None)
        return emu.services.get("servicediscovery") if emu else None

    def _connect_defaults(self, ctx, value):
        """serviceConnectDefaults: a Cloud Map namespace (name or ARN), answered as its ARN;
        an empty namespace is none."""
        if value is None or value.get("namespace") == "":
            return None
        ref = _require(value, "namespace")
        sd = self._cloud_map()
        arn = sd.namespace_arn(ctx, ref) if sd else ref
        if arn is None:
            raise _invalid("The specified namespace %s does not exist." % ref)
        return {"namespace": arn}

    def DescribeClusters(self, ctx, params):
        refs = as_list(params.get("clusters")) or ["default"]
        if len(refs) > 100:
            raise _invalid("Clusters cannot have more than 100 elements")
        include = as_list(params.get("include"))
        clusters, failures = [], []
        for ref in refs:
            c = self._r(ctx)["clusters"].get(self._cluster_name(ref))
            if c is None or not ctx.visible(c["created"]):
                arn = ref if ref.startswith("arn:") else self._arn(ctx, "cluster/" + ref)
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                clusters.append(self._cluster_out(ctx, c, include))
        return {"clusters": clusters, "failures": failures}

    def ListClusters(self, ctx, params):
        arns = sorted(c["arn"] for c in self._r(ctx)["clusters"].values()
                      if c["status"] == "ACTIVE")
        limit = as_int(params.get("maxResults", 100), "maxResults", "InvalidParameterException")
        return paged(arns, params, limit, "clusterArns", "InvalidParameterException",
                     "Invalid nextToken")

    def PutClusterSettings(self, ctx, params):
        c = self._cluster(ctx, _require(params, "cluster"))
        c["settings"] = self._settings(_require(params, "settings"))
        return {"cluster": self._cluster_out(ctx, c)}

    def PutClusterCapacityProviders(self, ctx, params):
        """Only the Fargate providers exist in the emulator; a strategy may name only
        providers of the list, at most one with a base, weights 0-1000, bases 0-100000."""
        c = self._cluster(ctx, _require(params, "cluster"))
        if "capacityProviders" not in params or \
                "defaultCapacityProviderStrategy" not in params:
            raise _invalid("capacityProviders and defaultCapacityProviderStrategy are "
                           "required.")
        providers = as_list(params["capacityProviders"])
        for p in providers:
            if p not in ("FARGATE", "FARGATE_SPOT"):
                raise _invalid("The specified capacity provider '%s' is not in an ACTIVE "
                               "state. Specify a valid capacity provider and try again." % p)
        strategy = as_list(params["defaultCapacityProviderStrategy"])
        with_base = 0
        for item in strategy:
            if item.get("capacityProvider") not in providers:
                raise _invalid("The specified capacity provider strategy cannot contain a "
                               "capacity provider that is not associated with the cluster.")
            weight = as_int(item.get("weight", 0), "weight", "InvalidParameterException")
            base = as_int(item.get("base", 0), "base", "InvalidParameterException")
            if not 0 <= weight <= 1000 or not 0 <= base <= 100000:
                raise _invalid("Capacity provider strategy weight must be 0-1000 and base "
                               "0-100000.")
            with_base += base > 0
        if with_base > 1:
            raise _invalid("Only one capacity provider in a strategy can have a base.")
        c["capacityProviders"] = providers
        c["defaultCapacityProviderStrategy"] = [
            {"capacityProvider": i["capacityProvider"], "weight": int(i.get("weight", 0)),
             "base": int(i.get("base", 0))} for i in strategy]
        return {"cluster": self._cluster_out(ctx, c)}

    def UpdateClusterSettings(self, ctx, params):
        return self.PutClusterSettings(ctx, params)

    def UpdateCluster(self, ctx, params):
        c = self._cluster(ctx, _require(params, "cluster"))
        if "settings" in params:
            c["settings"] = self._settings(params["settings"])
        if "configuration" in params:
            c["configuration"] = self._configuration(params["configuration"])
        if "serviceConnectDefaults" in params:
            c["serviceConnectDefaults"] = self._connect_defaults(
                ctx, params["serviceConnectDefaults"])
        return {"cluster": self._cluster_out(ctx, c, ("CONFIGURATIONS",))}

    def DeleteCluster(self, ctx, params):
        c = self._cluster(ctx, _require(params, "cluster"))
        busy = [s for s in self._r(ctx)["services"].get(c["arn"], {}).values()
                if self._status(ctx, s) in ("ACTIVE", "DRAINING")]
        if busy:
            raise AwsError("ClusterContainsServicesException",
                           "The Cluster cannot be deleted while Services are active.")
        c["status"] = "INACTIVE"
        self._r(ctx)["tags"].pop(c["arn"], None)
        return {"cluster": self._cluster_out(ctx, c)}

    # -- task definitions ----------------------------------------------------------------

    def _container(self, cd, network_mode, fargate, task_memory):
        if not isinstance(cd, dict):
            raise _client("Container definition must be an object.")
        name = cd.get("name")
        if not name or not NAME.match(name):
            raise _client("Container.name should not be null or empty.")
        if not cd.get("image"):
            raise _client("Container.image should not be null or empty.")
        if not fargate and task_memory is None and not cd.get("memory") \
                and not cd.get("memoryReservation"):
            raise _client("Invalid setting for container '%s'. At least one of 'memory' or "
                          "'memoryReservation' must be specified." % name)
        if cd.get("memory") and cd.get("memoryReservation") and \
                int(cd["memoryReservation"]) > int(cd["memory"]):
            raise _client("Invalid setting for container '%s'. 'memoryReservation' must be "
                          "less than or equal to 'memory'." % name)
        out = dict(cd)
        ports = []
        for pm in as_list(cd.get("portMappings")):
            pm = dict(pm)
            if "containerPort" in pm:
                port = as_int(pm["containerPort"], "containerPort", "ClientException")
                if not 0 < port < 65536:
                    raise _client("Invalid containerPort %s." % port)
                if network_mode == "awsvpc":
                    if pm.get("hostPort") not in (None, port):
                        raise _client("When networkMode=awsvpc, the host ports and container "
                                      "ports in port mappings must match.")
                    pm["hostPort"] = port
                elif network_mode == "host":
                    pm["hostPort"] = port
            pm.setdefault("protocol", "tcp")
            if pm["protocol"] not in ("tcp", "udp"):
                raise _client("Invalid protocol %s." % pm["protocol"])
            ports.append(pm)
        out["portMappings"] = ports
        log = cd.get("logConfiguration")
        if log is not None and log.get("logDriver") not in (
                "json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk",
                "awsfirelens"):
            raise _client("Log driver %s is not supported." % log.get("logDriver"))
        if "healthCheck" in cd:
            out["healthCheck"] = self._health_check(name, cd["healthCheck"])
        out.setdefault("cpu", 0)
        out.setdefault("essential", True)
        for key in ("environment", "mountPoints", "volumesFrom", "systemControls"):
            out.setdefault(key, [])
        return out

    @staticmethod
    def _health_check(name, hc):
        """A container health check with ECS's defaults (interval 30, timeout 5, retries 3;
        startPeriod stays unset) and its documented ranges."""
        if not isinstance(hc, dict) or not as_list(hc.get("command")):
            raise _client("Invalid setting for container '%s'. healthCheck.command must not be "
                          "empty." % name)
        out = dict(hc)
        for key, default, low, high in (("interval", 30, 5, 300), ("timeout", 5, 2, 120),
                                        ("retries", 3, 1, 10), ("startPeriod", None, 0, 300)):
            if key not in out:
                if default is not None:
                    out[key] = default
                continue
            value = as_int(out[key], "healthCheck." + key, "ClientException")
            if not low <= value <= high:
                raise _client("Invalid setting for container '%s'. healthCheck.%s must be between "
                              "%d and %d." % (name, key, low, high))
            out[key] = value
        return out

    @staticmethod
    def _volumes(value, fargate, defs):
        """Volumes as ECS echoes them (a bind mount without a source path gets "host": {});
        each container's mountPoints must name one of them."""
        out, names = [], set()
        for v in as_list(value):
            name = (v or {}).get("name")
            if not name or not NAME.match(name) or name in names:
                raise _client("Volume names must be unique, non-empty letters, numbers, hyphens "
                              "and underscores.")
            names.add(name)
            v = dict(v)
            efs = v.get("efsVolumeConfiguration")
            if efs is not None:
                if not efs.get("fileSystemId"):
                    raise _client("efsVolumeConfiguration.fileSystemId can not be blank.")
                v["efsVolumeConfiguration"] = efs = dict(efs, rootDirectory=efs.get("rootDirectory") or "/")
                auth = efs.get("authorizationConfig") or {}
                if (auth.get("iam") == "ENABLED" or auth.get("accessPointId")) and \
                        efs.get("transitEncryption") != "ENABLED":
                    raise _client("Transit encryption must be enabled when IAM authorization or "
                                  "an access point is used.")
                for key, allowed in (("transitEncryption", ("ENABLED", "DISABLED")),
                                     ("iam", ("ENABLED", "DISABLED"))):
                    got = (auth if key == "iam" else efs).get(key)
                    if got is not None and got not in allowed:
                        raise _client("Invalid %s value %s." % (key, got))
            elif (v.get("host") or {}).get("sourcePath") and fargate:
                raise _client("Fargate does not support host source paths for volumes.")
            elif "dockerVolumeConfiguration" not in v:
                v["host"] = dict(v.get("host") or {})
            out.append(v)
        for cd in defs:
            for mp in as_list(cd.get("mountPoints")):
                if mp.get("sourceVolume") not in names:
                    raise _client("Invalid setting for container '%s'. The sourceVolume %s is not "
                                  "a volume of the task definition." % (cd["name"],
                                                                        mp.get("sourceVolume")))
        return out

    def _requires_attributes(self, td):
        attrs = {"com.amazonaws.ecs.capability.docker-remote-api.1.18"}
        if td.get("taskRoleArn"):
            attrs.add("com.amazonaws.ecs.capability.task-iam-role")
        if td["networkMode"] == "awsvpc":
            attrs.add("ecs.capability.task-eni")
        for cd in td["containerDefinitions"]:
            log = cd.get("logConfiguration") or {}
            if log.get("logDriver") == "awslogs":
                attrs.add("com.amazonaws.ecs.capability.logging-driver.awslogs")
                attrs.add("com.amazonaws.ecs.capability.docker-remote-api.1.19")
                if td.get("executionRoleArn"):
                    attrs.add("ecs.capability.execution-role-awslogs")
        return [{"name": a} for a in sorted(attrs)]

    def RegisterTaskDefinition(self, ctx, params):
        family = _require(params, "family")
        if not NAME.match(family):
            raise _client("Family contains invalid characters.")
        containers = params.get("containerDefinitions")
        if not containers:
            raise _client("Container list cannot be empty.")
        requires = as_list(params.get("requiresCompatibilities"))
        for rc in requires:
            if rc not in COMPATIBILITIES:
                raise _client("Invalid requiresCompatibilities value %s." % rc)
        fargate = "FARGATE" in requires
        network_mode = params.get("networkMode")
        if network_mode is not None and network_mode not in NETWORK_MODES:
            raise _client("Invalid networkMode %s." % network_mode)
        if fargate and network_mode != "awsvpc":
            raise _client("Fargate only supports network mode 'awsvpc'.")
        cpu = _units(params["cpu"], "cpu", "vcpu") if params.get("cpu") else None
        memory = _units(params["memory"], "memory", "gb") if params.get("memory") else None
        if fargate:
            if cpu is None:
                raise _client("Fargate requires that 'cpu' be defined at the task level.")
            if memory is None:
                raise _client("Fargate requires that 'memory' be defined at the task level.")
            if memory not in FARGATE_MEMORY.get(cpu, []):
                raise _client("No Fargate configuration exists for given values: %d CPU, %d "
                              "memory. See the Amazon ECS documentation for the valid values."
                              % (cpu, memory))
        names = [cd.get("name") for cd in containers if isinstance(cd, dict)]
        if len(set(names)) != len(names):
            raise _client("Duplicate container names are not allowed.")
        defs = [self._container(cd, network_mode or "bridge", fargate, memory)
                for cd in containers]
        execution_role = params.get("executionRoleArn")
        if fargate and not execution_role and any(
                (cd.get("logConfiguration") or {}).get("logDriver") == "awslogs" for cd in defs):
            raise _client("Fargate requires task definition to have execution role ARN to "
                          "support log driver awslogs.")
        for key in ("executionRoleArn", "taskRoleArn"):
            if params.get(key) and not str(params[key]).startswith("arn:aws:iam::"):
                raise _client("Invalid %s: %s" % (key, params[key]))
        volumes = self._volumes(params.get("volumes"), fargate, defs)
        storage = params.get("ephemeralStorage")
        if storage is not None:
            size = as_int((storage or {}).get("sizeInGiB"), "sizeInGiB", "ClientException")
            if not 21 <= size <= 200:
                raise _client("The ephemeral storage size must be between 21 and 200 GiB.")
        r = self._r(ctx)
        fam = r["families"].setdefault(family, {"last": 0, "revisions": {}})
        fam["last"] += 1
        rev = fam["last"]
        td = {
            "taskDefinitionArn": self._arn(ctx, "task-definition/%s:%d" % (family, rev)),
            "containerDefinitions": defs, "family": family, "revision": rev,
            "volumes": volumes, "status": "ACTIVE",
            "networkMode": network_mode or "bridge",
            "placementConstraints": as_list(params.get("placementConstraints")),
            "compatibilities": ["EC2"] + (["FARGATE"] if (network_mode == "awsvpc" and cpu
                                                          and memory in FARGATE_MEMORY.get(cpu, []))
                                          else []),
            "registeredAt": ctx.now(),
            "registeredBy": "arn:aws:iam::%s:root" % ctx.account_id,
        }
        for key in ("taskRoleArn", "executionRoleArn", "runtimePlatform", "pidMode", "ipcMode",
                    "proxyConfiguration", "ephemeralStorage", "inferenceAccelerators"):
            if params.get(key) is not None:
                td[key] = params[key]
        if requires:
            td["requiresCompatibilities"] = requires
        if cpu is not None:
            td["cpu"] = str(cpu)
        if memory is not None:
            td["memory"] = str(memory)
        td["requiresAttributes"] = self._requires_attributes(td)
        fam["revisions"][str(rev)] = td
        tags = _tags_in(params.get("tags"))
        r["tags"][td["taskDefinitionArn"]] = tags
        return {"taskDefinition": td, "tags": _tags_out(tags)}

    def _taskdef(self, ctx, ref, need_revision=False):
        name = ref.split(":task-definition/", 1)[1] if ":task-definition/" in ref else ref
        family, _, rev = name.partition(":")
        fam = self._r(ctx)["families"].get(family)
        if need_revision and not rev:
            raise _client("Invalid revision number. Number: ")
        td = None
        if fam is not None:
            if rev:
                td = fam["revisions"].get(rev)
            else:
                active = [int(n) for n, t in fam["revisions"].items() if t["status"] == "ACTIVE"]
                td = fam["revisions"][str(max(active))] if active else None
        if td is None or not ctx.visible(td["registeredAt"]):
            raise _client("Unable to describe task definition.")
        return td

    def DescribeTaskDefinition(self, ctx, params):
        td = self._taskdef(ctx, _require(params, "taskDefinition"))
        out = {"taskDefinition": td}
        if "TAGS" in as_list(params.get("include")):
            out["tags"] = _tags_out(self._r(ctx)["tags"].get(td["taskDefinitionArn"], {}))
        return out

    def DeregisterTaskDefinition(self, ctx, params):
        td = self._taskdef(ctx, _require(params, "taskDefinition"), need_revision=True)
        if td["status"] == "ACTIVE":
            td["status"] = "INACTIVE"
            td["deregisteredAt"] = ctx.now()
        return {"taskDefinition": td}

    def ListTaskDefinitions(self, ctx, params):
        status = params.get("status", "ACTIVE")
        prefix = params.get("familyPrefix", "")
        arns = [td["taskDefinitionArn"]
                for fname, fam in sorted(self._r(ctx)["families"].items())
                if fname.startswith(prefix)
                for _, td in sorted(fam["revisions"].items(), key=lambda kv: int(kv[0]))
                if td["status"] == status]
        if params.get("sort") == "DESC":
            arns.reverse()
        limit = as_int(params.get("maxResults", 100), "maxResults", "InvalidParameterException")
        return paged(arns, params, limit, "taskDefinitionArns", "InvalidParameterException",
                     "Invalid nextToken")

    # -- services ------------------------------------------------------------------------

    def _status(self, ctx, s):
        return _status_at(s, ctx.now())

    def _running(self, ctx, s):
        if self._status(ctx, s) != "ACTIVE":
            return 0
        primary = s["deployments"][0]
        return s["desiredCount"] if ctx.now() - primary["updatedAt"] >= STEADY_SECONDS else 0

    def _deployments(self, ctx, s):
        now = ctx.now()
        out = []
        steady = now - s["deployments"][0]["updatedAt"] >= STEADY_SECONDS
        for i, d in enumerate(s["deployments"]):
            if i > 0 and steady:
                break
            d = dict(d)
            primary = i == 0
            d["status"] = "PRIMARY" if primary else "ACTIVE"
            d["desiredCount"] = s["desiredCount"] if primary else 0
            d["runningCount"] = (s["desiredCount"] if steady else 0) if primary else \
                s["desiredCount"]
            d["pendingCount"] = 0 if steady or not primary else s["desiredCount"]
            d["failedTasks"] = 0
            d["rolloutState"] = "COMPLETED" if steady else "IN_PROGRESS"
            d["rolloutStateReason"] = ("ECS deployment %s completed." % d["id"]) if steady else \
                "ECS deployment %s in progress." % d["id"]
            out.append(d)
        return out

    def _service_out(self, ctx, s, include=()):
        status = self._status(ctx, s)
        out = {k: v for k, v in s.items()
               if k not in ("deployments", "drained_at", "drain_seconds", "created", "clientToken",
                            "status")}
        out["status"] = status
        out["runningCount"] = self._running(ctx, s)
        out["pendingCount"] = 0 if out["runningCount"] == s["desiredCount"] or status != "ACTIVE" \
            else s["desiredCount"]
        out["deployments"] = self._deployments(ctx, s) if status != "INACTIVE" else []
        out["events"] = []
        out["createdAt"] = s["created"]
        if "TAGS" in include:
            out["tags"] = _tags_out(self._r(ctx)["tags"].get(s["serviceArn"], {}))
        return out

    def _network(self, value, td):
        if value is None:
            if td["networkMode"] == "awsvpc":
                raise _invalid("Network Configuration must be provided when networkMode "
                               "'awsvpc' is specified.")
            return None
        vpc = value.get("awsvpcConfiguration") if isinstance(value, dict) else None
        if not vpc or not as_list(vpc.get("subnets")):
            raise _invalid("subnets can not be empty.")
        if td["networkMode"] != "awsvpc":
            raise _invalid("Network Configuration is not valid for the given networkMode of "
                           "this task definition.")
        if len(as_list(vpc.get("subnets"))) > 16 or len(as_list(vpc.get("securityGroups"))) > 5:
            raise _invalid("Too many subnets or security groups.")
        out = {"subnets": as_list(vpc["subnets"]),
               "securityGroups": as_list(vpc.get("securityGroups")),
               "assignPublicIp": vpc.get("assignPublicIp", "DISABLED")}
        if out["assignPublicIp"] not in ("ENABLED", "DISABLED"):
            raise _invalid("assignPublicIp must be ENABLED or DISABLED.")
        return {"awsvpcConfiguration": out}

    def _load_balancers(self, ctx, value, td):
        out = []
        for lb in as_list(value):
            if not lb.get("targetGroupArn") and not lb.get("loadBalancerName"):
                raise _invalid("Either targetGroupArn or loadBalancerName must be specified.")
            name, port = lb.get("containerName"), lb.get("containerPort")
            cd = next((c for c in td["containerDefinitions"] if c["name"] == name), None)
            if cd is None:
                raise _invalid("The container %s does not exist in the task definition." % name)
            if not any(pm.get("containerPort") == port for pm in cd["portMappings"]):
                raise _invalid("The container %s did not have a container port %s defined."
                               % (name, port))
            if lb.get("targetGroupArn"):
                self._check_target_group(ctx, lb["targetGroupArn"], td)
            out.append(dict(lb))
        return out

    def _check_target_group(self, ctx, arn, td):
        """The ELBv2 target group must exist, belong to a load balancer, and have
        target type ip for awsvpc tasks (ECS's own messages)."""
        elb = self.emulator.services.get("elasticloadbalancing")
        info = elb.target_group_info(ctx.region, arn) if elb else None
        if info is None:
            raise _invalid("Unable to assume role and validate the specified targetGroupArn. "
                           "Please verify that the ECS service role being passed has the proper "
                           "permissions.")
        target_type, lbs = info
        if not lbs:
            raise _invalid("The target group with targetGroupArn %s does not have an associated "
                           "load balancer." % arn)
        if td["networkMode"] == "awsvpc" and target_type != "ip":
            raise _invalid("The provided target group %s has target type %s, which is "
                           "incompatible with the awsvpc network mode specified in the task "
                           "definition." % (arn, target_type))

    def _deployment_config(self, value, current=None):
        cfg = dict(current or {"deploymentCircuitBreaker": {"enable": False, "rollback": False},
                               "maximumPercent": 200, "minimumHealthyPercent": 100})
        for k, v in (value or {}).items():
            cfg[k] = v
        if cfg["minimumHealthyPercent"] > cfg["maximumPercent"] or cfg["maximumPercent"] < 100:
            raise _invalid("Invalid deployment configuration: maximumPercent must be at least "
                           "100 and not less than minimumHealthyPercent.")
        return cfg

    def _new_deployment(self, ctx, s):
        now = ctx.now()
        return {"id": "ecs-svc/" + "".join(str(uuid.uuid4().int)[:19]),
                "taskDefinition": s["taskDefinition"], "createdAt": now, "updatedAt": now,
                "launchType": s.get("launchType"), "platformVersion": s.get("platformVersion"),
                "networkConfiguration": s.get("networkConfiguration")}

    def _drain_seconds(self):
        emu = getattr(self, "emulator", None)
        return emu.config.drain_delay_ms / 1000.0 if emu else DRAIN_SECONDS

    def _services(self, ctx, cluster):
        return self._r(ctx)["services"].setdefault(cluster["arn"], {})

    def CreateService(self, ctx, params):
        name = _require(params, "serviceName")
        if not NAME.match(name):
            raise _invalid("Service name can only contain letters, numbers, hyphens and "
                           "underscores, up to 255 characters.")
        cluster = self._cluster(ctx, params.get("cluster"))
        strategy = params.get("schedulingStrategy", "REPLICA")
        if strategy not in ("REPLICA", "DAEMON"):
            raise _invalid("Invalid schedulingStrategy.")
        td = self._taskdef(ctx, _require(params, "taskDefinition"))
        if td["status"] != "ACTIVE":
            raise _invalid("TaskDefinition is inactive")
        launch = params.get("launchType")
        if launch not in (None, "EC2", "FARGATE", "EXTERNAL"):
            raise _invalid("Invalid launchType.")
        providers = self._provider_strategy(cluster, params.get("capacityProviderStrategy"))
        if launch and providers:
            raise _invalid("Specifying both a launch type and capacity provider strategy is not "
                           "supported. Remove one and try again.")
        fargate = launch == "FARGATE" or any(p["capacityProvider"].startswith("FARGATE")
                                             for p in providers)
        if fargate and "FARGATE" not in td["compatibilities"]:
            raise _invalid("Task definition does not support launch_type FARGATE.")
        controller = params.get("deploymentController") or {"type": "ECS"}
        if controller.get("type") not in CONTROLLERS:
            raise _invalid("deploymentController.type must be one of ECS, CODE_DEPLOY, EXTERNAL.")
        registries = self._registries(ctx, params.get("serviceRegistries"))
        if strategy == "REPLICA" and "desiredCount" not in params:
            raise _invalid("The desired count must be specified for a service using the "
                           "REPLICA scheduling strategy.")
        desired = as_int(params.get("desiredCount", 0), "desiredCount",
                         "InvalidParameterException")
        if desired < 0:
            raise _invalid("desiredCount cannot be negative.")
        lbs = self._load_balancers(ctx, params.get("loadBalancers"), td)
        grace = params.get("healthCheckGracePeriodSeconds")
        if grace is not None and not lbs:
            raise _invalid("Health check grace period is only valid for services configured to "
                           "use load balancers")
        network = self._network(params.get("networkConfiguration"), td)
        services = self._services(ctx, cluster)
        existing = services.get(name)
        if existing is not None:
            status = self._status(ctx, existing)
            if status == "DRAINING":
                raise _invalid("Unable to Start a service that is still Draining.")
            if status == "ACTIVE":
                token = params.get("clientToken")
                if token and token == existing.get("clientToken"):
                    return {"service": self._service_out(ctx, existing)}
                raise _invalid("Creation of service was not idempotent.")
        arn = self._arn(ctx, "service/%s/%s" % (cluster["name"], name))
        s = {
            "serviceArn": arn, "serviceName": name, "clusterArn": cluster["arn"],
            "loadBalancers": lbs, "serviceRegistries": registries,
            "status": "ACTIVE", "desiredCount": desired,
            "taskDefinition": td["taskDefinitionArn"],
            "deploymentConfiguration": self._deployment_config(
                params.get("deploymentConfiguration")),
            "roleArn": SERVICE_ROLE % ctx.account_id,
            "placementConstraints": as_list(params.get("placementConstraints")),
            "placementStrategy": as_list(params.get("placementStrategy")),
            "schedulingStrategy": strategy,
            "deploymentController": {"type": controller["type"]},
            "createdBy": "arn:aws:iam::%s:root" % ctx.account_id,
            "enableECSManagedTags": bool(params.get("enableECSManagedTags", False)),
            "propagateTags": params.get("propagateTags", "NONE"),
            "enableExecuteCommand": bool(params.get("enableExecuteCommand", False)),
            "created": ctx.now(), "clientToken": params.get("clientToken"),
        }
        if launch:
            s["launchType"] = launch
        if fargate:
            s["platformVersion"] = params.get("platformVersion", "LATEST")
            s["platformFamily"] = "Linux"
        if providers:
            s["capacityProviderStrategy"] = providers
        if network:
            s["networkConfiguration"] = network
        if grace is not None:
            s["healthCheckGracePeriodSeconds"] = as_int(grace, "healthCheckGracePeriodSeconds",
                                                        "InvalidParameterException")
        s["deployments"] = [self._new_deployment(ctx, s)]
        services[name] = s
        tags = _tags_in(params.get("tags"))
        self._r(ctx)["tags"][arn] = tags
        out = self._service_out(ctx, s)
        out["tags"] = _tags_out(tags)
        return {"service": out}

    def _provider_strategy(self, cluster, value):
        """A service's capacity provider strategy: providers of its cluster, weights 0-1000,
        bases 0-100000 (answered with both)."""
        out = []
        for item in as_list(value):
            name = (item or {}).get("capacityProvider")
            if name not in cluster["capacityProviders"]:
                raise _invalid("The specified capacity provider strategy cannot contain a capacity "
                               "provider that is not associated with the cluster. Associate the "
                               "capacity provider with the cluster or specify a valid capacity "
                               "provider and try again.")
            weight = as_int(item.get("weight", 0), "weight", "InvalidParameterException")
            base = as_int(item.get("base", 0), "base", "InvalidParameterException")
            if not 0 <= weight <= 1000 or not 0 <= base <= 100000:
                raise _invalid("Capacity provider strategy weight must be 0-1000 and base "
                               "0-100000.")
            out.append({"capacityProvider": name, "weight": weight, "base": base})
        if sum(1 for i in out if i["base"] > 0) > 1:
            raise _invalid("Only one capacity provider in a strategy can have a base.")
        return out

    def _registries(self, ctx, value):
        """At most one service registry: an existing Cloud Map service's ARN."""
        out = as_list(value)
        if len(out) > 1:
            raise _invalid("Only one service registry is supported per service.")
        sd = self._cloud_map()
        for reg in out:
            arn = _require(reg, "registryArn")
            if sd and sd.service_by_arn(ctx, arn) is None:
                raise _invalid("The service registry %s does not exist." % arn)
        return [dict(reg) for reg in out]

    def _service(self, ctx, params, key="service"):
        cluster = self._cluster(ctx, params.get("cluster"))
        ref = _require(params, key)
        name = ref.rsplit("/", 1)[1] if ref.startswith("arn:") else ref
        s = self._services(ctx, cluster).get(name)
        if s is None or not ctx.visible(s["created"]):
            raise AwsError("ServiceNotFoundException", "Service not found.")
        return cluster, s

    def DescribeServices(self, ctx, params):
        cluster = self._cluster(ctx, params.get("cluster"))
        refs = as_list(_require(params, "services"))
        if len(refs) > 10:
            raise _invalid("services can have at most 10 items.")
        include = as_list(params.get("include"))
        services, failures = [], []
        for ref in refs:
            name = ref.rsplit("/", 1)[1] if ref.startswith("arn:") else ref
            s = self._services(ctx, cluster).get(name)
            if s is None or not ctx.visible(s["created"]):
                arn = ref if ref.startswith("arn:") else \
                    self._arn(ctx, "service/%s/%s" % (cluster["name"], name))
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                services.append(self._service_out(ctx, s, include))
        return {"services": services, "failures": failures}

    def UpdateService(self, ctx, params):
        cluster, s = self._service(ctx, params)
        if self._status(ctx, s) != "ACTIVE":
            raise AwsError("ServiceNotActiveException", "Service was not ACTIVE.")
        td = self._taskdef(ctx, s["taskDefinition"])
        new_deployment = bool(params.get("forceNewDeployment"))
        if params.get("taskDefinition"):
            td = self._taskdef(ctx, params["taskDefinition"])
            if td["status"] != "ACTIVE":
                raise _invalid("TaskDefinition is inactive")
            if s.get("launchType") == "FARGATE" and "FARGATE" not in td["compatibilities"]:
                raise _invalid("Task definition does not support launch_type FARGATE.")
            if td["taskDefinitionArn"] != s["taskDefinition"]:
                s["taskDefinition"] = td["taskDefinitionArn"]
                new_deployment = True
        if "desiredCount" in params:
            desired = as_int(params["desiredCount"], "desiredCount", "InvalidParameterException")
            if desired < 0:
                raise _invalid("desiredCount cannot be negative.")
            if desired != s["desiredCount"]:
                s["desiredCount"] = desired
                s["deployments"][0]["updatedAt"] = ctx.now()
        if "networkConfiguration" in params:
            s["networkConfiguration"] = self._network(params["networkConfiguration"], td)
            new_deployment = True
        if "loadBalancers" in params:
            s["loadBalancers"] = self._load_balancers(ctx, params["loadBalancers"], td)
            new_deployment = True
        if "deploymentConfiguration" in params:
            s["deploymentConfiguration"] = self._deployment_config(
                params["deploymentConfiguration"], s["deploymentConfiguration"])
        if "healthCheckGracePeriodSeconds" in params:
            if not s["loadBalancers"]:
                raise _invalid("Health check grace period is only valid for services configured "
                               "to use load balancers")
            s["healthCheckGracePeriodSeconds"] = as_int(
                params["healthCheckGracePeriodSeconds"], "healthCheckGracePeriodSeconds",
                "InvalidParameterException")
        if "platformVersion" in params and s.get("launchType") == "FARGATE":
            s["platformVersion"] = params["platformVersion"]
            new_deployment = True
        if "capacityProviderStrategy" in params:
            providers = self._provider_strategy(cluster, params["capacityProviderStrategy"])
            if not params.get("forceNewDeployment"):
                raise _invalid("A capacity provider strategy update requires forceNewDeployment.")
            s["capacityProviderStrategy"] = providers
            new_deployment = True
        if "serviceRegistries" in params:
            s["serviceRegistries"] = self._registries(ctx, params["serviceRegistries"])
            new_deployment = True
        for key in ("enableExecuteCommand", "enableECSManagedTags", "propagateTags",
                    "placementStrategy", "placementConstraints"):
            if key in params:
                s[key] = params[key]
        if new_deployment:
            s["deployments"].insert(0, self._new_deployment(ctx, s))
            del s["deployments"][2:]
        return {"service": self._service_out(ctx, s)}

    def DeleteService(self, ctx, params):
        _, s = self._service(ctx, params)
        if self._status(ctx, s) != "ACTIVE":
            raise AwsError("ServiceNotActiveException", "Service was not ACTIVE.")
        force = bool(params.get("force", False))
        if s["desiredCount"] > 0 and not force:
            raise _invalid("The service cannot be stopped while it is scaled above 0.")
        s["desiredCount"] = 0
        s["status"] = "DRAINING"
        s["drained_at"] = ctx.now()
        s["drain_seconds"] = self._drain_seconds()
        self._r(ctx)["tags"].pop(s["serviceArn"], None)
        return {"service": self._service_out(ctx, s)}

    def ListServices(self, ctx, params):
        cluster = self._cluster(ctx, params.get("cluster"))
        launch = params.get("launchType")
        arns = sorted(s["serviceArn"] for s in self._services(ctx, cluster).values()
                      if self._status(ctx, s) != "INACTIVE"
                      and (launch is None or s.get("launchType") == launch))
        limit = as_int(params.get("maxResults", 10), "maxResults", "InvalidParameterException")
        if not 1 <= limit <= 100:
            raise _invalid("maxResults must be between 1 and 100.")
        return paged(arns, params, limit, "serviceArns", "InvalidParameterException",
                     "Invalid nextToken")

    # -- tags ----------------------------------------------------------------------------

    def _tag_target(self, ctx, arn):
        m = re.match(r"^arn:aws:ecs:([a-z0-9-]+):(\d{12}):([a-z-]+)/(.+)$", arn or "")
        if not m:
            raise _invalid("The ARN provided is invalid.")
        kind, rest = m.group(3), m.group(4)
        r = self._r(ctx)
        if kind == "cluster":
            self._cluster(ctx, rest)
        elif kind == "service":
            cluster_name, _, name = rest.partition("/")
            cluster = self._cluster(ctx, cluster_name)
            s = self._services(ctx, cluster).get(name)
            if s is None or self._status(ctx, s) == "INACTIVE":
                raise AwsError("ResourceNotFoundException", "The specified resource could "
                               "not be found.")
        elif kind == "task-definition":
            self._taskdef(ctx, arn)
        else:
            raise _invalid("The ARN provided is invalid.")
        return r["tags"].setdefault(arn, {})

    def TagResource(self, ctx, params):
        tags = self._tag_target(ctx, _require(params, "resourceArn"))
        add_tags(tags, _tags_in(_require(params, "tags")),
                 _invalid("Too many tags: at most 50 tags per resource."))
        return {}

    def UntagResource(self, ctx, params):
        tags = self._tag_target(ctx, _require(params, "resourceArn"))
        remove_tags(tags, _require(params, "tagKeys"))
        return {}

    def ListTagsForResource(self, ctx, params):
        tags = self._tag_target(ctx, _require(params, "resourceArn"))
        return {"tags": _tags_out(tags)}

    # -- inventory -----------------------------------------------------------------------

    def inventory(self):
        clusters, taskdefs, services = [], [], []
        now = self.emulator.clock.now()
        for region, r in self.store.get("regions", {}).items():
            for c in r["clusters"].values():
                if c["status"] == "ACTIVE":
                    clusters.append({"id": c["arn"], "region": region, "name": c["name"],
                                     "settings": c["settings"],
                                     "tags": dict(r["tags"].get(c["arn"], {}))})
            for fam in r["families"].values():
                for td in fam["revisions"].values():
                    if td["status"] == "ACTIVE":
                        taskdefs.append(dict(td, id=td["taskDefinitionArn"], region=region,
                                             tags=dict(r["tags"].get(td["taskDefinitionArn"], {}))))
            for by_name in r["services"].values():
                for s in by_name.values():
                    status = _status_at(s, now)
                    if status == "INACTIVE":
                        continue
                    row = {k: v for k, v in s.items() if k not in ("deployments", "clientToken")}
                    row.update(id=s["serviceArn"], region=region, status=status,
                               tags=dict(r["tags"].get(s["serviceArn"], {})))
                    services.append(row)
        return {"cluster": clusters, "task_definition": taskdefs, "service": services}
