"""Sparse answers (--sparse): responses shaped as moto and some real AWS
APIs shape them, so that clients are tested against both habits.

- Optional members left out: a member whose value is None, an empty list or
  an empty map is not sent at all (recursively), and the members OMITTED
  names are not sent even when set (moto's DescribeServices has no
  deploymentConfiguration or healthCheckGracePeriodSeconds; its
  DescribeLogGroups no logGroupClass).
- Documents that are not set are answered as "" instead of being left out
  (BLANK: an SNS topic's DeliveryPolicy, as moto answers it, and a
  subscription's policies likewise).

Applied to the result of an operation before it is encoded; the service's
stored state is never touched (the result is copied first). Paths are
member names separated by dots; "*" stands for every item of a list.
"""

import copy

# (signing name, action) -> paths of members left out even when set
OMITTED = {
    ("ecs", "CreateService"): ["service.deploymentConfiguration",
                               "service.healthCheckGracePeriodSeconds"],
    ("ecs", "UpdateService"): ["service.deploymentConfiguration",
                               "service.healthCheckGracePeriodSeconds"],
    ("ecs", "DescribeServices"): ["services.*.deploymentConfiguration",
                                  "services.*.healthCheckGracePeriodSeconds"],
    ("logs", "DescribeLogGroups"): ["logGroups.*.logGroupClass"],   # moto has no classes
}

# (signing name, action) -> paths of documents answered "" when not set
BLANK = {
    ("sns", "GetTopicAttributes"): ["Attributes.DeliveryPolicy"],
    ("sns", "GetSubscriptionAttributes"): ["Attributes.FilterPolicy", "Attributes.RedrivePolicy",
                                           "Attributes.DeliveryPolicy"],
}


def _parents(node, path):
    """The dicts that hold the last member of path, and that member's name."""
    *steps, last = path.split(".")
    nodes = [node]
    for step in steps:
        nxt = []
        for n in nodes:
            if step == "*":
                nxt.extend(x for x in (n if isinstance(n, list) else []))
            elif isinstance(n, dict) and n.get(step) is not None:
                nxt.append(n[step])
        nodes = nxt
    return [n for n in nodes if isinstance(n, dict)], last


def _leave_out_empty(node):
    """node without None, [] and {} members, recursively (keeps the XmlMap
    and XmlFlat types the encoder needs)."""
    if isinstance(node, dict):
        kept = type(node)()
        for k, v in node.items():
            v = _leave_out_empty(v)
            if v is None or (isinstance(v, (list, dict)) and not v):
                continue
            kept[k] = v
        return kept
    if isinstance(node, list):
        return type(node)(_leave_out_empty(v) for v in node)
    return node


def answer(service, action, result):
    """The sparse form of one operation's result."""
    if not isinstance(result, dict) or "_body" in result or "_status" in result:
        return result        # raw S3 answers: bodies and headers as they are
    out = copy.deepcopy(result)
    for path in OMITTED.get((service, action), ()):
        parents, name = _parents(out, path)
        for p in parents:
            p.pop(name, None)
    out = _leave_out_empty(out)
    for path in BLANK.get((service, action), ()):
        parents, name = _parents(out, path)
        for p in parents:
            p.setdefault(name, "")
    return out
