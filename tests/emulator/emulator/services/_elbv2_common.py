"""Parameter helpers shared by the ELBv2 service and its listener-rule operations:
AWS's ValidationError wording, query lists, bounded integers, booleans, tags, and
Marker/NextMarker paging with an opaque offset."""
from ..core import AwsError
from ._common import constraint_message, offset_token, require, token_offset

PAGE_MAX = 400
MAX_TAGS = 50


def _err(code, message):
    return AwsError(code, message, 400)


def _validation(message):
    return _err("ValidationError", message)


def _required(params, name):
    return require(params, name, "ValidationError", empty=(None, ""))


def _list(params, name):
    """A query list (`Name.member.N`); an empty list arrives as `Name=`."""
    v = params.get(name)
    if v is None or v == "":
        return []
    if isinstance(v, list):
        return v
    if isinstance(v, dict) and all(isinstance(k, int) for k in v):
        return [v[k] for k in sorted(v)]
    return [v]


def _int(value, name, lo, hi):
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise _validation("Value '%s' at '%s' failed to satisfy constraint: Member must be "
                          "an integer" % (value, name))
    if not lo <= n <= hi:
        raise _validation(constraint_message(name, "have value between %d and %d" % (lo, hi), n))
    return n


def _bool(value, name):
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _validation("Value '%s' at '%s' failed to satisfy constraint: Member must be a "
                      "boolean" % (value, name))


def _tags_in(params, name="Tags"):
    tags = {}
    for t in _list(params, name):
        if not isinstance(t, dict) or not t.get("Key"):
            raise _validation("A tag key must be specified")
        k, v = t["Key"], t.get("Value", "")
        if len(k) > 128 or len(v) > 256:
            raise _validation("Tag key must be 1-128 and value 0-256 characters")
        if k.startswith("aws:"):
            raise _validation("Tag keys starting with 'aws:' are reserved")
        if k in tags:
            raise _err("DuplicateTagKeys", "Tag key '%s' is duplicated" % k)
        tags[k] = v
    if len(tags) > MAX_TAGS:
        raise _err("TooManyTags", "A resource can have at most %d tags" % MAX_TAGS)
    return tags


def _page(items, params):
    """Marker/NextMarker paging; the marker is an opaque offset."""
    size = PAGE_MAX
    if params.get("PageSize") not in (None, ""):
        size = _int(params["PageSize"], "pageSize", 1, PAGE_MAX)
    start = 0
    marker = params.get("Marker")
    if marker:
        try:
            start = token_offset(marker)
        except ValueError:
            raise _validation("Invalid value for Marker: '%s'" % marker)
    more = start + size < len(items)
    return items[start:start + size], offset_token(start + size) if more else None
