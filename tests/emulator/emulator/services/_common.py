"""Small helpers shared by the service modules (EC2 and ELBv2 use the paging token codec).

Parameter access that raises each service's own validation error and AWS's validation wording,
opaque pagination tokens and paged answers, tag list/map conversions, tag merge/removal with
the 50-tag limit, and timestamp formats. No state lives here: every service keeps its
state in the store dict it was given.
"""
import base64
import json
import time

from ..core import AwsError


def require(params, name, code="ValidationException", message=None, status=400,
            empty=(None, "", [], {})):
    """params[name], or the service's validation error when it is absent or one of `empty`
    (services differ in which empty values they refuse)."""
    value = params.get(name)
    if value in empty:
        raise AwsError(code, message or missing_message(name), status)
    return value


def missing_message(name):
    """AWS's wording for a required member that is absent (Coral validation)."""
    return ("1 validation error detected: Value null at '%s' failed to satisfy constraint: "
            "Member must not be null" % (name[:1].lower() + name[1:]))


def constraint_message(member, must, value=None):
    """AWS's wording for a member that fails a constraint (Coral validation), e.g.
    constraint_message("limit", "have value less than or equal to 50", 51)."""
    return ("1 validation error detected: Value %sat '%s' failed to satisfy constraint: "
            "Member must %s" % ("" if value is None else "'%s' " % (value,), member, must))


def as_int(value, name, code="ValidationException", status=400):
    """value as int (query bodies carry strings), or the validation error."""
    if isinstance(value, bool):
        raise AwsError(code, "Invalid value for %s: %r" % (name, value), status)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise AwsError(code, "Invalid value for %s: %r" % (name, value), status)


def as_bool(value, name, code="ValidationException", status=400):
    """value as bool; accepts JSON booleans and the query form's "true"/"false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise AwsError(code, "Invalid value for %s: %r" % (name, value), status)


def as_list(value):
    """A list from a decoded list, a single value, or None."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and all(k.isdigit() for k in value):
        return [value[k] for k in sorted(value, key=int)]
    return [value]


def pairs_to_dict(value, key="Key", val="Value"):
    """A map sent either as a JSON object or as the query form's list of key/value entries."""
    if value is None:
        return {}
    if isinstance(value, dict) and not all(k.isdigit() for k in value):
        if key in value and set(value) <= {key, val}:
            return {value[key]: value.get(val, "")}
        return dict(value)
    out = {}
    for entry in as_list(value):
        if not isinstance(entry, dict):
            continue
        k = next((entry[n] for n in (key, key.lower(), key.capitalize()) if n in entry), None)
        v = next((entry[n] for n in (val, val.lower(), val.capitalize()) if n in entry), "")
        if k is not None:
            out[k] = v
    return out


def tags_in(value, key="Key", val="Value", code="ValidationException"):
    """A tag list [{Key, Value}] (or map) as a dict; keys 1-128, values 0-256 chars, max 50."""
    tags = pairs_to_dict(value, key, val)
    for k, v in tags.items():
        if not isinstance(k, str) or not 1 <= len(k) <= 128 or len(str(v)) > 256:
            raise AwsError(code, "Invalid tag: key must be 1-128 and value 0-256 characters")
    if len(tags) > 50:
        raise AwsError(code, "Too many tags: at most 50 tags per resource")
    return tags


def tags_out(tags, key="Key", val="Value"):
    """A tag dict (or any attribute map) as the sorted list form [{Key: k, Value: v}]."""
    return [{key: k, val: tags[k]} for k in sorted(tags)]


def add_tags(tags, new, too_many, limit=50):
    """Merges the dict new into the tag dict tags, or raises the error too_many (tags left
    unchanged) when the result would have more than limit tags."""
    if len(dict(tags, **new)) > limit:
        raise too_many
    tags.update(new)


def remove_tags(tags, keys):
    """Drops the keys (a list or one key) from the tag dict tags; absent keys are no error."""
    for key in as_list(keys):
        tags.pop(key, None)


def offset_token(offset, urlsafe=False):
    """The opaque paging token for a list offset: base64 of {"o": offset}."""
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return encode(json.dumps({"o": offset}).encode()).decode()


def token_offset(token, urlsafe=False):
    """The offset in a token made by offset_token; ValueError for any other value."""
    decode = base64.urlsafe_b64decode if urlsafe else base64.b64decode
    try:
        return int(json.loads(decode(token.encode()))["o"])
    except Exception:
        raise ValueError("not a paging token: %r" % (token,))


def page(items, token, limit, code="InvalidNextTokenException", message="Invalid NextToken"):
    """One page of items (already in a stable order) and the next token or None.

    The token is an opaque base64 of the offset; a token that does not decode is an error."""
    start = 0
    if token:
        try:
            start = token_offset(token)
        except ValueError:
            raise AwsError(code, message)
    more = start + limit < len(items)
    return items[start:start + limit], offset_token(start + limit) if more else None


def paged(items, params, limit, key, code, message, token="nextToken", render=None,
          is_truncated=False):
    """A List/Describe answer: {key: one page of items (each through render)}, then
    IsTruncated if asked (IAM), then the next token under the member name it is sent
    as (token: nextToken, NextToken, Marker) when more items remain."""
    chunk, nxt = page(items, params.get(token), limit, code, message)
    out = {key: [render(x) for x in chunk] if render else chunk}
    if is_truncated:
        out["IsTruncated"] = nxt is not None
    if nxt:
        out[token] = nxt
    return out


def iso8601(ts):
    """Epoch seconds as AWS's XML timestamp: 2024-01-02T03:04:05Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso8601_ms(ts):
    """Epoch seconds as 2024-01-02T03:04:05.123Z (S3 LastModified)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + ".%03dZ" % int((ts % 1) * 1000)


def region_store(store, region, *kinds):
    """The per-region sub-dict of a regional service's store, with each kind initialised."""
    r = store.setdefault("regions", {}).setdefault(region, {})
    for k in kinds:
        r.setdefault(k, {})
    return r


def parse_json_doc(text):
    """The decoded JSON document, or None when text is not a JSON object."""
    if not isinstance(text, str):
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None
