"""RFC 6902 JSON Patch applied to a decoded JSON document (standard library only).

apply(doc, patch) -> a new document; raises PatchError (a message naming the failing
operation) for a malformed operation, a path that does not resolve, or a failed "test".
Paths are RFC 6901 JSON Pointers ("~1" is "/", "~0" is "~"); "-" appends to an array.
Cloud Control's UpdateResource sends such a patch against the resource's current model.
"""
import copy


class PatchError(Exception):
    pass


def _tokens(path):
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise PatchError("invalid JSON pointer %r" % (path,))
    if path == "":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _index(container, token, adding):
    """The list index a token names; "-" (or len) only when adding."""
    if token == "-" and adding:
        return len(container)
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise PatchError("invalid array index %r" % token)
    i = int(token)
    if i > len(container) or (i == len(container) and not adding):
        raise PatchError("array index %d out of range" % i)
    return i


def _parent(doc, tokens):
    node = doc
    for t in tokens[:-1]:
        if isinstance(node, dict):
            if t not in node:
                raise PatchError("path segment %r does not exist" % t)
            node = node[t]
        elif isinstance(node, list):
            node = node[_index(node, t, False)]
        else:
            raise PatchError("path segment %r is inside a scalar" % t)
    return node


def _get(doc, path):
    tokens = _tokens(path)
    if not tokens:
        return doc
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError("path %s does not exist" % path)
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, False)]
    raise PatchError("path %s does not exist" % path)


def _add(doc, path, value):
    tokens = _tokens(path)
    if not tokens:
        return value
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, True), value)
    else:
        raise PatchError("cannot add at %s" % path)
    return doc


def _remove(doc, path):
    tokens = _tokens(path)
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError("path %s does not exist" % path)
        return doc, parent.pop(last)
    if isinstance(parent, list):
        return doc, parent.pop(_index(parent, last, False))
    raise PatchError("path %s does not exist" % path)


def apply(doc, patch):
    if not isinstance(patch, list):
        raise PatchError("a patch is a JSON array of operations")
    doc = copy.deepcopy(doc)
    for n, op in enumerate(patch):
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError("operation %d needs op and path" % n)
        kind, path = op["op"], op["path"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError("operation %d (%s) needs a value" % (n, kind))
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op["value"]))
        elif kind == "remove":
            doc, _ = _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            doc, _ = _remove(doc, path) if _tokens(path) else (doc, None)
            doc = _add(doc, path, copy.deepcopy(op["value"]))
        elif kind in ("move", "copy"):
            if "from" not in op:
                raise PatchError("operation %d (%s) needs from" % (n, kind))
            if kind == "move" and (path + "/").startswith(op["from"] + "/") and path != op["from"]:
                raise PatchError("cannot move %s into itself" % op["from"])
            if kind == "move":
                doc, value = _remove(doc, op["from"])
            else:
                value = copy.deepcopy(_get(doc, op["from"]))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError("test failed at %s" % path)
        else:
            raise PatchError("unknown operation %r" % kind)
    return doc
