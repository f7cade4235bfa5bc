"""DynamoDB (json 1.0, DynamoDB_20120810): tables and single-item reads/writes for state locks.

Per region: tables by name, items keyed by the JSON of their primary key attributes. Condition
expressions are parsed by a small recursive-descent parser over DynamoDB's documented grammar
subset: comparisons (= <> < <= > >=) between paths (names or #placeholders) and :values,
attribute_exists(p), attribute_not_exists(p), attribute_type(p, :t), begins_with(p, :v),
contains(p, :v), size(p) in comparisons, AND, OR, NOT and parentheses. Unused or undefined
placeholders are ValidationExceptions, as DynamoDB reports them. A new table is CREATING in the
CreateTable answer and ACTIVE when read back; DeleteTable answers DELETING and the table is gone.
"""
import json
import re
import uuid
from decimal import Decimal, InvalidOperation

from ..core import AwsError, Service
from ._common import as_list, constraint_message, region_store, require

TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
TOKEN = re.compile(r"\s*(?:(?P<op><>|<=|>=|=|<|>|\(|\)|,)|(?P<word>[#:]?[A-Za-z0-9_.\[\]-]+))")
KEYWORDS = ("AND", "OR", "NOT")
FUNCTIONS = ("attribute_exists", "attribute_not_exists", "attribute_type", "begins_with",
             "contains", "size")


def _validation(msg):
    return AwsError("ValidationException", msg)


def _require(params, name):
    return require(params, name)


def _check_value(v, where):
    if not isinstance(v, dict) or len(v) != 1:
        raise _validation("Supplied AttributeValue is empty, must contain exactly one of the "
                          "supported datatypes")
    (t, x), = v.items()
    if t not in ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"):
        raise _validation("Supplied AttributeValue has unsupported datatype %s in %s" % (t, where))
    if t == "N":
        try:
            Decimal(x)
        except (InvalidOperation, TypeError):
            raise _validation("A value provided cannot be converted into a number")


class Expr:
    """A parsed condition expression evaluated against one item (None: no item)."""

    def __init__(self, text, names, values):
        self.names, self.values = names or {}, values or {}
        self.used_names, self.used_values = set(), set()
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.tree = self._or()
        if self.pos != len(self.tokens):
            raise _validation("Invalid ConditionExpression: Syntax error; token: \"%s\", near: "
                              "\"%s\"" % (self.tokens[self.pos], text))

    @staticmethod
    def _tokenize(text):
        out, i = [], 0
        while i < len(text):
            m = TOKEN.match(text, i)
            if not m or m.end() == i:
                if text[i:].strip() == "":
                    break
                raise _validation("Invalid ConditionExpression: Syntax error; token: \"%s\""
                                  % text[i:].strip()[:10])
            out.append(m.group("op") or m.group("word"))
            i = m.end()
        return out

    def _peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, expected=None):
        tok = self._peek()
        if tok is None or (expected and tok.upper() != expected):
            raise _validation("Invalid ConditionExpression: Syntax error; token: \"%s\""
                              % (tok or "<EOF>"))
        self.pos += 1
        return tok

    def _or(self):
        node = self._and()
        while (self._peek() or "").upper() == "OR":
            self._take()
            node = ("or", node, self._and())
        return node

    def _and(self):
        node = self._not()
        while (self._peek() or "").upper() == "AND":
            self._take()
            node = ("and", node, self._not())
        return node

    def _not(self):
        if (self._peek() or "").upper() == "NOT":
            self._take()
            return ("not", self._not())
        return self._comparison()

    def _comparison(self):
        if self._peek() == "(":
            self._take()
            node = self._or()
            self._take(")")
            return node
        left = self._operand()
        if self._peek() in ("=", "<>", "<", "<=", ">", ">="):
            op = self._take()
            return ("cmp", op, left, self._operand())
        if left[0] == "fn" and left[1] != "size":
            return left
        raise _validation("Invalid ConditionExpression: The expression is not a condition")

    def _operand(self):
        tok = self._take()
        if tok in FUNCTIONS and self._peek() == "(":
            self._take("(")
            args = [self._operand()]
            while self._peek() == ",":
                self._take()
                args.append(self._operand())
            self._take(")")
            return ("fn", tok, args)
        if tok.startswith(":"):
            if tok not in self.values:
                raise _validation("Value provided in ExpressionAttributeValues unused in "
                                  "expressions: An expression attribute value used in "
                                  "expression is not defined; attribute value: %s" % tok)
            self.used_values.add(tok)
            return ("value", self.values[tok])
        if tok.upper() in KEYWORDS or tok in "(),":
            raise _validation("Invalid ConditionExpression: Syntax error; token: \"%s\"" % tok)
        return ("path", self._path(tok))

    def _path(self, tok):
        parts = []
        for seg in tok.split("."):
            if seg.startswith("#"):
                if seg not in self.names:
                    raise _validation("Invalid ConditionExpression: An expression attribute "
                                      "name used in the document path is not defined; "
                                      "attribute name: %s" % seg)
                self.used_names.add(seg)
                parts.append(self.names[seg])
            else:
                parts.append(seg)
        return parts

    # -- evaluation ----------------------------------------------------------------------

    def evaluate(self, item):
        return self._eval(self.tree, item or {})

    def _resolve(self, node, item):
        kind = node[0]
        if kind == "value":
            return node[1]
        if kind == "path":
            cur = {"M": item}
            for part in node[1]:
                if not isinstance(cur, dict) or "M" not in cur or part not in cur["M"]:
                    return None
                cur = cur["M"][part]
            return cur
        if kind == "fn" and node[1] == "size":
            v = self._resolve(node[2][0], item)
            if v is None:
                return None
            (t, x), = v.items()
            n = len(x.encode()) if t == "S" else len(base_bytes(x)) if t == "B" else len(x)
            return {"N": str(n)}
        raise _validation("Invalid ConditionExpression: incorrect operand")

    def _eval(self, node, item):
        kind = node[0]
        if kind == "or":
            return self._eval(node[1], item) or self._eval(node[2], item)
        if kind == "and":
            return self._eval(node[1], item) and self._eval(node[2], item)
        if kind == "not":
            return not self._eval(node[1], item)
        if kind == "cmp":
            return compare(node[1], self._resolve(node[2], item), self._resolve(node[3], item))
        name, args = node[1], node[2]
        if name in ("attribute_exists", "attribute_not_exists"):
            if len(args) != 1 or args[0][0] != "path":
                raise _validation("Invalid ConditionExpression: Incorrect number of operands "
                                  "for operator or function; operator or function: %s" % name)
            present = self._resolve(args[0], item) is not None
            return present if name == "attribute_exists" else not present
        if len(args) != 2:
            raise _validation("Invalid ConditionExpression: Incorrect number of operands for "
                              "operator or function; operator or function: %s" % name)
        left, right = self._resolve(args[0], item), self._resolve(args[1], item)
        if left is None or right is None:
            return False
        (lt, lx), = left.items()
        (rt, rx), = right.items()
        if name == "attribute_type":
            return rt == "S" and lt == rx
        if name == "begins_with":
            return lt == rt and lt in ("S", "B") and lx.startswith(rx)
        if name == "contains":
            if lt == "S" and rt == "S":
                return rx in lx
            if lt in ("SS", "NS", "BS", "L"):
                return rx in lx or right in lx
            return False
        raise _validation("Invalid ConditionExpression: unknown function %s" % name)

    def check_unused(self):
        unused = set(self.names) - self.used_names
        if unused:
            raise _validation("Value provided in ExpressionAttributeNames unused in expressions: "
                              "keys: {%s}" % ", ".join(sorted(unused)))
        unused = set(self.values) - self.used_values
        if unused:
            raise _validation("Value provided in ExpressionAttributeValues unused in "
                              "expressions: keys: {%s}" % ", ".join(sorted(unused)))


def base_bytes(x):
    import base64
    return base64.b64decode(x)


def compare(op, left, right):
    """DynamoDB comparison of two typed values; a missing side or a type mismatch is false
    (except <>, true when the values differ)."""
    if left is None or right is None:
        return op == "<>" and not (left is None and right is None)
    (lt, lx), = left.items()
    (rt, rx), = right.items()
    if op in ("=", "<>"):
        if lt != rt:
            same = False
        elif lt == "N":
            same = Decimal(lx) == Decimal(rx)
        elif lt in ("SS", "NS", "BS"):
            same = sorted(lx) == sorted(rx)
        else:
            same = lx == rx
        return same if op == "=" else not same
    if lt != rt or lt not in ("S", "N", "B"):
        return False
    a, b = (Decimal(lx), Decimal(rx)) if lt == "N" else (lx, rx)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


class DynamoDB(Service):
    name = "dynamodb"
    protocol = "json"
    json_version = "1.0"
    target_prefix = "DynamoDB_20120810"
    throttle_code = "ThrottlingException"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "tables")

    def _table(self, ctx, name):
        table = self._r(ctx)["tables"].get(name)
        if table is None or not ctx.visible(table["CreationDateTime"]):
            raise AwsError("ResourceNotFoundException", "Requested resource not found: "
                           "Table: %s not found" % name)
        return table

    @staticmethod
    def _describe(table, status=None):
        out = {k: v for k, v in table.items() if k not in ("items", "tags")}
        out["TableStatus"] = status or "ACTIVE"
        out["ItemCount"] = len(table["items"])
        out["TableSizeBytes"] = sum(len(json.dumps(i)) for i in table["items"].values())
        return out

    def CreateTable(self, ctx, params):
        name = _require(params, "TableName")
        if not TABLE_NAME.match(name):
            raise _validation(constraint_message(
                "tableName", "satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name))
        schema = as_list(_require(params, "KeySchema"))
        defs = as_list(_require(params, "AttributeDefinitions"))
        types = {}
        for d in defs:
            if d.get("AttributeType") not in ("S", "N", "B"):
                raise _validation("Member must satisfy enum value set: [B, N, S]")
            types[d.get("AttributeName")] = d["AttributeType"]
        kinds = [k.get("KeyType") for k in schema]
        if kinds not in (["HASH"], ["HASH", "RANGE"]):
            raise _validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key "
                              "type" if kinds and kinds[0] != "HASH" else
                              constraint_message("keySchema",
                                                 "have length less than or equal to 2"))
        key_names = [k.get("AttributeName") for k in schema]
        if set(key_names) != set(types) and not params.get("GlobalSecondaryIndexes") \
                and not params.get("LocalSecondaryIndexes"):
            raise _validation("One or more parameter values were invalid: Number of attributes "
                              "in KeySchema does not exactly match number of attributes defined "
                              "in AttributeDefinitions")
        for k in key_names:
            if k not in types:
                raise _validation("One or more parameter values were invalid: Some index key "
                                  "attributes are not defined in AttributeDefinitions. Keys: "
                                  "[%s], AttributeDefinitions: [%s]"
                                  % (k, ", ".join(sorted(types))))
        billing = params.get("BillingMode", "PROVISIONED")
        if billing not in ("PROVISIONED", "PAY_PER_REQUEST"):
            raise _validation("Invalid BillingMode %s" % billing)
        throughput = params.get("ProvisionedThroughput")
        if billing == "PROVISIONED":
            if not throughput:
                raise _validation("One or more parameter values were invalid: "
                                  "ReadCapacityUnits and WriteCapacityUnits must both be "
                                  "specified when BillingMode is PROVISIONED")
            for unit in ("ReadCapacityUnits", "WriteCapacityUnits"):
                if int(throughput.get(unit, 0)) < 1:
                    raise _validation("One or more parameter values were invalid: %s must be "
                                      "greater than 0" % unit)
        elif throughput:
            raise _validation("One or more parameter values were invalid: Neither "
                              "ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                              "BillingMode is PAY_PER_REQUEST")
        r = self._r(ctx)
        if name in r["tables"]:
            raise AwsError("ResourceInUseException", "Table already exists: %s" % name)
        table = {
            "TableName": name, "KeySchema": schema, "AttributeDefinitions": defs,
            "CreationDateTime": ctx.now(),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": int((throughput or {}).get("ReadCapacityUnits", 0)),
                "WriteCapacityUnits": int((throughput or {}).get("WriteCapacityUnits", 0))},
            "TableArn": "arn:aws:dynamodb:%s:%s:table/%s" % (ctx.region, ctx.account_id, name),
            "TableId": str(uuid.uuid4()),
            "BillingModeSummary": {"BillingMode": billing},
            "DeletionProtectionEnabled": bool(params.get("DeletionProtectionEnabled", False)),
            "items": {}, "tags": {t["Key"]: t["Value"] for t in as_list(params.get("Tags"))},
        }
        r["tables"][name] = table
        return {"TableDescription": self._describe(table, "CREATING")}

    def DescribeTable(self, ctx, params):
        return {"Table": self._describe(self._table(ctx, _require(params, "TableName")))}

    def ListTables(self, ctx, params):
        names = sorted(self._r(ctx)["tables"])
        start = params.get("ExclusiveStartTableName")
        if start:
            names = [n for n in names if n > start]
        limit = int(params.get("Limit", 100))
        out = {"TableNames": names[:limit]}
        if len(names) > limit:
            out["LastEvaluatedTableName"] = names[limit - 1]
        return out

    def DeleteTable(self, ctx, params):
        table = self._table(ctx, _require(params, "TableName"))
        if table["DeletionProtectionEnabled"]:
            raise _validation("Resource cannot be deleted as it is currently protected against "
                              "deletion. Disable deletion protection first.")
        del self._r(ctx)["tables"][table["TableName"]]
        return {"TableDescription": self._describe(table, "DELETING")}

    # -- items ---------------------------------------------------------------------------

    def _key_of(self, table, attrs, exact):
        """The item's storage key; ValidationException when the key does not match the schema."""
        schema = table["KeySchema"]
        types = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
        key_names = [k["AttributeName"] for k in schema]
        if exact and set(attrs) != set(key_names):
            raise _validation("The provided key element does not match the schema")
        parts = []
        for n in key_names:
            v = attrs.get(n)
            if v is None:
                raise _validation("One or more parameter values were invalid: Missing the key %s "
                                  "in the item" % n)
            if list(v) != [types[n]]:
                raise _validation("One or more parameter values were invalid: Type mismatch for "
                                  "key %s expected: %s actual: %s" % (n, types[n], list(v)[0]))
            if types[n] == "S" and v["S"] == "":
                raise _validation("One or more parameter values are not valid. The AttributeValue "
                                  "for a key attribute cannot contain an empty string value. Key: "
                                  "%s" % n)
            parts.append(v)
        return json.dumps(parts, sort_keys=True)

    def _condition(self, params, item):
        text = params.get("ConditionExpression")
        names = params.get("ExpressionAttributeNames")
        values = params.get("ExpressionAttributeValues")
        if params.get("Expected") and text:
            raise _validation("Can not use both expression and non-expression parameters in the "
                              "same request: Non-expression parameters: {Expected} Expression "
                              "parameters: {ConditionExpression}")
        for v in (values or {}).values():
            _check_value(v, "ExpressionAttributeValues")
        if not text:
            if names:
                raise _validation("ExpressionAttributeNames can only be specified when using "
                                  "expressions")
            if values:
                raise _validation("ExpressionAttributeValues can only be specified when using "
                                  "expressions")
            return
        expr = Expr(text, names, values)
        expr.check_unused()
        if not expr.evaluate(item):
            err = AwsError("ConditionalCheckFailedException", "The conditional request failed")
            raise err

    def _return_values(self, params, old):
        rv = params.get("ReturnValues", "NONE")
        if rv not in ("NONE", "ALL_OLD"):
            raise _validation("Return values set to invalid value")
        return {"Attributes": old} if rv == "ALL_OLD" and old is not None else {}

    def GetItem(self, ctx, params):
        table = self._table(ctx, _require(params, "TableName"))
        key = _require(params, "Key")
        item = table["items"].get(self._key_of(table, key, exact=True))
        if item is None:
            return {}
        projection = params.get("ProjectionExpression")
        if projection:
            names = params.get("ExpressionAttributeNames") or {}
            wanted = [names.get(p.strip(), p.strip()) for p in projection.split(",")]
            item = {k: v for k, v in item.items() if k in wanted}
        return {"Item": item}

    def PutItem(self, ctx, params):
        table = self._table(ctx, _require(params, "TableName"))
        item = _require(params, "Item")
        for name, v in item.items():
            _check_value(v, name)
        storage_key = self._key_of(table, item, exact=False)
        if len(json.dumps(item)) > 400 * 1024:
            raise _validation("Item size has exceeded the maximum allowed size")
        old = table["items"].get(storage_key)
        self._condition(params, old)
        out = self._return_values(params, old)
        table["items"][storage_key] = item
        return out

    def DeleteItem(self, ctx, params):
        table = self._table(ctx, _require(params, "TableName"))
        key = _require(params, "Key")
        storage_key = self._key_of(table, key, exact=True)
        old = table["items"].get(storage_key)
        self._condition(params, old)
        out = self._return_values(params, old)
        table["items"].pop(storage_key, None)
        return out

    def inventory(self):
        tables, items = [], []
        for region, r in self.store.get("regions", {}).items():
            for name, t in r["tables"].items():
                tables.append({"id": name, "region": region, "arn": t["TableArn"],
                               "items": len(t["items"]), "tags": dict(t["tags"])})
                for item in t["items"].values():
                    items.append({"id": "%s/%s" % (name, self._key_of(t, item, False)),
                                  "table": name, "item": item})
        return {"table": tables, "item": items}
