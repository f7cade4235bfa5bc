"""ELBv2 listener rules and listener certificates, mixed into the ELBv2 service.

Rules live in the region's "rules" table keyed by ARN, each with its listener, load balancer,
priority (1-50000, unique per listener: PriorityInUse), conditions, actions (checked like a
listener's default actions) and tags. DescribeRules of a listener also answers its default
rule (IsDefault, Priority "default", the listener's default actions), as AWS. A listener's
extra certificates (AddListenerCertificates) sit beside its default one; both must be ACM
certificates that exist and are issued (certificate_check, also used for the listener's
default certificate); the default one cannot be removed this way.
"""
import hashlib
import secrets

from ._elbv2_common import _err, _int, _list, _page, _required, _tags_in, _validation

FIELDS = {"host-header": "HostHeaderConfig", "path-pattern": "PathPatternConfig",
          "http-header": "HttpHeaderConfig", "http-request-method": "HttpRequestMethodConfig",
          "query-string": "QueryStringConfig", "source-ip": "SourceIpConfig"}
MAX_CONDITION_VALUES = 5


def _values(cfg):
    return _list(cfg, "Values") if isinstance(cfg, dict) else []


class RuleOps:
    """The operations; the host provides _r, _listener, _lb, _actions, _arn and _find."""

    # -- certificates --------------------------------------------------------------------

    def certificate_check(self, ctx, arn):
        """CertificateNotFound unless arn is an issued ACM certificate of this region."""
        acm = self.emulator.services.get("acm")
        try:
            cert = acm.DescribeCertificate(ctx, {"CertificateArn": arn})["Certificate"]
        except Exception:
            cert = None
        if cert is None or cert["Status"] != "ISSUED":
            raise _err("CertificateNotFound", "Certificate '%s' not found" % arn)

    def certificate_users(self, ctx, arn):
        """ARNs of the load balancers whose listeners name the certificate arn (ACM InUseBy)."""
        r = self._r(ctx.region)
        return sorted({ls["lb"] for ls in r["listeners"].values()
                       if arn in [c["CertificateArn"] for c in ls["certs"]]
                       + ls.get("extra_certs", [])})

    def AddListenerCertificates(self, ctx, params):
        ls = self._listener(ctx, _required(params, "ListenerArn"))
        certs = [c.get("CertificateArn") for c in _list(params, "Certificates")
                 if isinstance(c, dict)]
        if not certs or not all(certs):
            raise _validation("A certificate ARN must be specified")
        if ls["protocol"] not in ("HTTPS", "TLS"):
            raise _err("InvalidConfigurationRequest", "Certificates can only be added to HTTPS "
                       "and TLS listeners")
        for c in certs:
            self.certificate_check(ctx, c)
        extra = ls.setdefault("extra_certs", [])
        extra.extend(c for c in certs if c not in extra)
        if len(extra) > 25:
            raise _err("TooManyCertificates", "A listener can have at most 25 certificates")
        return {"Certificates": [{"CertificateArn": c, "IsDefault": False} for c in certs]}

    def RemoveListenerCertificates(self, ctx, params):
        ls = self._listener(ctx, _required(params, "ListenerArn"))
        certs = [c.get("CertificateArn") for c in _list(params, "Certificates")
                 if isinstance(c, dict)]
        if not certs:
            raise _validation("A certificate ARN must be specified")
        default = [c["CertificateArn"] for c in ls["certs"]]
        if any(c in default for c in certs):
            raise _err("OperationNotPermitted", "The default certificate cannot be removed")
        ls["extra_certs"] = [c for c in ls.get("extra_certs", []) if c not in certs]
        return {}

    def DescribeListenerCertificates(self, ctx, params):
        ls = self._listener(ctx, _required(params, "ListenerArn"), describe=True)
        items = [{"CertificateArn": c["CertificateArn"], "IsDefault": True} for c in ls["certs"]]
        items += [{"CertificateArn": c, "IsDefault": False} for c in ls.get("extra_certs", [])]
        chunk, nxt = _page(items, params)
        return {"Certificates": chunk, "NextMarker": nxt}

    # -- rules ---------------------------------------------------------------------------

    def _rule(self, ctx, arn, describe=False):
        return self._find(ctx, arn, describe, "listener-rule", "rule", "rules", "RuleNotFound")

    def _conditions(self, params):
        out, total = [], 0
        for c in _list(params, "Conditions"):
            field = c.get("Field") if isinstance(c, dict) else None
            if field not in FIELDS:
                raise _validation("Condition field '%s' is not valid" % (field,))
            key = FIELDS[field]
            cfg = c.get(key) if isinstance(c.get(key), dict) else {}
            vals = _values(cfg) or (_values(c) if field in ("host-header", "path-pattern")
                                    else [])
            if not vals:
                raise _validation("A condition value must be specified for field '%s'" % field)
            total += len(vals)
            cond = {"Field": field}
            if field == "http-header":
                if not cfg.get("HttpHeaderName"):
                    raise _validation("An HTTP header name must be specified")
                cond[key] = {"HttpHeaderName": cfg["HttpHeaderName"], "Values": vals}
            elif field == "query-string":
                pairs = [{k: v for k, v in (("Key", q.get("Key")), ("Value", q.get("Value")))
                          if v is not None} for q in vals if isinstance(q, dict)]
                if len(pairs) != len(vals) or not all("Value" in q for q in pairs):
                    raise _validation("A query string value must be specified")
                cond[key] = {"Values": pairs}
            else:
                cond[key] = {"Values": vals}
                if field in ("host-header", "path-pattern"):
                    cond["Values"] = vals
            out.append(cond)
        if not out:
            raise _validation("At least one condition must be specified")
        if len([c for c in out if c["Field"] in ("host-header", "path-pattern")]) != \
                len({c["Field"] for c in out if c["Field"] in ("host-header", "path-pattern")}):
            raise _validation("A rule can only have one '%s' condition" % "host-header/path-pattern")
        if total > MAX_CONDITION_VALUES:
            raise _err("TooManyConditionValues", "A rule can have at most %d condition values"
                       % MAX_CONDITION_VALUES)
        return out

    def _priority(self, ctx, ls_arn, value, rule_arn=None):
        p = _int(value, "priority", 1, 50000)
        for other in self._r(ctx.region)["rules"].values():
            if other["listener"] == ls_arn and other["priority"] == p and other["arn"] != rule_arn:
                raise _err("PriorityInUse", "Priority '%d' is currently in use" % p)
        return p

    def render_rule(self, rule):
        return {"RuleArn": rule["arn"], "Priority": str(rule["priority"]),
                "Conditions": rule["conditions"], "Actions": rule["actions"], "IsDefault": False}

    def _default_rule(self, ls):
        rid = hashlib.sha256(ls["arn"].encode()).hexdigest()[:16]
        return {"RuleArn": ls["arn"].replace(":listener/", ":listener-rule/", 1) + "/" + rid,
                "Priority": "default", "Conditions": [], "Actions": ls["actions"],
                "IsDefault": True}

    def CreateRule(self, ctx, params):
        ls = self._listener(ctx, _required(params, "ListenerArn"))
        lb = self._lb(ctx, ls["lb"])
        if not _list(params, "Actions"):
            _required(params, "Actions")
        priority = self._priority(ctx, ls["arn"], _required(params, "Priority"))
        conditions = self._conditions(params)
        actions, tgs = self._actions(ctx, lb, params, "Actions")
        tags = _tags_in(params)
        arn = ls["arn"].replace(":listener/", ":listener-rule/", 1) + "/" + secrets.token_hex(8)
        rule = {"arn": arn, "listener": ls["arn"], "lb": ls["lb"], "priority": priority,
                "conditions": conditions, "actions": actions, "tgs": tgs, "tags": tags,
                "created": ctx.now()}
        self._r(ctx.region)["rules"][arn] = rule
        return {"Rules": [self.render_rule(rule)]}

    def DescribeRules(self, ctx, params):
        arns = _list(params, "RuleArns")
        ls_arn = params.get("ListenerArn")
        if bool(arns) == bool(ls_arn):
            raise _validation("You must specify either listener ARN or rule ARNs")
        r = self._r(ctx.region)
        if arns:
            items = []
            for a in dict.fromkeys(arns):
                ls = next((x for x in r["listeners"].values()
                           if self._default_rule(x)["RuleArn"] == a), None)
                items.append(self._default_rule(ls) if ls else
                             self.render_rule(self._rule(ctx, a, describe=True)))
        else:
            ls = self._listener(ctx, ls_arn, describe=True)
            rules = sorted((x for x in r["rules"].values()
                            if x["listener"] == ls_arn and ctx.visible(x["created"])),
                           key=lambda x: x["priority"])
            items = [self.render_rule(x) for x in rules] + [self._default_rule(ls)]
        chunk, nxt = _page(items, params)
        return {"Rules": chunk, "NextMarker": nxt}

    def ModifyRule(self, ctx, params):
        rule = self._rule(ctx, _required(params, "RuleArn"))
        if _list(params, "Conditions"):
            rule["conditions"] = self._conditions(params)
        if _list(params, "Actions"):
            lb = self._lb(ctx, rule["lb"])
            rule["actions"], rule["tgs"] = self._actions(ctx, lb, params, "Actions")
        return {"Rules": [self.render_rule(rule)]}

    def SetRulePriorities(self, ctx, params):
        pairs = _list(params, "RulePriorities")
        if not pairs:
            _required(params, "RulePriorities")
        rules = [(self._rule(ctx, p.get("RuleArn")), _int(p.get("Priority"), "priority", 1,
                                                          50000)) for p in pairs]
        moving = {rule["arn"] for rule, _ in rules}
        for rule, p in rules:
            for other in self._r(ctx.region)["rules"].values():
                if other["listener"] == rule["listener"] and other["priority"] == p and \
                        other["arn"] not in moving:
                    raise _err("PriorityInUse", "Priority '%d' is currently in use" % p)
        for rule, p in rules:
            rule["priority"] = p
        return {"Rules": [self.render_rule(rule) for rule, _ in rules]}

    def DeleteRule(self, ctx, params):
        rule = self._rule(ctx, _required(params, "RuleArn"))
        del self._r(ctx.region)["rules"][rule["arn"]]
        return {}

    def drop_rules(self, r, listener_arns):
        """Deletes the rules of the listeners (a listener or its load balancer deleted)."""
        for a in [a for a, x in r["rules"].items() if x["listener"] in listener_arns]:
            del r["rules"][a]
