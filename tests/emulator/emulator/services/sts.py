"""STS (query protocol, 2011-06-15): GetCallerIdentity and AssumeRole.

AssumeRole issues temporary credentials (ASIA... key id, secret, session
token, expiry on the emulator clock) stored in this service's store under
"sessions"; the server accepts them for signing only together with the
matching X-Amz-Security-Token and until they expire. If the IAM service is
loaded, the role must exist there (matched by ARN or name).
"""

import base64
import hashlib
import re
import secrets
import string

from ..core import AwsError, Service, as_int, iso_time
from ._common import constraint_message

_ROLE_ARN = re.compile(r"^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$")
_SESSION = re.compile(r"^[\w+=,.@-]*$")
_UPPER = string.ascii_uppercase + string.digits


def _role_id(role_arn):
    return "AROA" + base64.b32encode(hashlib.sha256(role_arn.encode()).digest()).decode()[:17]


def _validation(msg):
    return AwsError("ValidationError", msg)


class STS(Service):
    name = "sts"
    protocol = "query"
    api_version = "2011-06-15"
    xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"
    throttle_code = "Throttling"

    def __init__(self, store):
        super().__init__(store)
        store.setdefault("sessions", {})

    def is_mutating(self, action):
        return action == "AssumeRole"

    def GetCallerIdentity(self, ctx, params):
        p = ctx.principal
        return {"Arn": p.get("arn"), "UserId": p.get("user_id"),
                "Account": p.get("account", ctx.account_id)}

    def _role_id(self, role_arn):
        """The role's id, or None when IAM is loaded and has no such role."""
        iam = getattr(self, "emulator", None) and self.emulator.services.get("iam")
        if iam is None:
            return _role_id(role_arn)
        for obj in iam.inventory().get("role", []):
            if obj.get("arn") == role_arn:
                return obj.get("role_id") or _role_id(role_arn)
        return None

    def AssumeRole(self, ctx, params):
        role_arn = params.get("RoleArn")
        session = params.get("RoleSessionName")
        if not role_arn:
            raise AwsError("MissingParameter", "The request must contain the parameter RoleArn")
        if not session:
            raise AwsError("MissingParameter", "The request must contain the parameter RoleSessionName")
        m = _ROLE_ARN.match(role_arn)
        if not m:
            raise _validation("%s is invalid" % role_arn)
        if len(session) < 2 or len(session) > 64:
            raise _validation(constraint_message(
                "roleSessionName", "have length %s" % (
                    "greater than or equal to 2" if len(session) < 2
                    else "less than or equal to 64"), session))
        if not _SESSION.match(session):
            raise _validation(constraint_message(
                "roleSessionName", "satisfy regular expression pattern: [\\w+=,.@-]*", session))
        duration = as_int(params.get("DurationSeconds", "3600"), "DurationSeconds")
        if not 900 <= duration <= 43200:
            raise _validation(constraint_message(
                "durationSeconds", "have value between 900 and 43200", duration))
        account, role_name = m.group(1), m.group(2)
        role_id = self._role_id(role_arn) if account == ctx.account_id else None
        if role_id is None:
            raise AwsError("AccessDenied", "User: %s is not authorized to perform: "
                           "sts:AssumeRole on resource: %s" % (ctx.principal.get("arn"), role_arn),
                           403)
        key = "ASIA" + "".join(secrets.choice(_UPPER) for _ in range(16))
        secret = base64.b64encode(secrets.token_bytes(30)).decode()
        token = base64.b64encode(secrets.token_bytes(120)).decode()
        expires = ctx.now() + duration
        assumed_arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role_name, session)
        self.store["sessions"][key] = {
            "secret": secret, "session_token": token, "expires": expires,
            "principal": {"arn": assumed_arn, "user_id": "%s:%s" % (role_id, session),
                          "account": account}}
        self._expire(ctx.now())
        return {"Credentials": {"AccessKeyId": key, "SecretAccessKey": secret,
                                "SessionToken": token, "Expiration": iso_time(expires)},
                "AssumedRoleUser": {"AssumedRoleId": "%s:%s" % (role_id, session),
                                    "Arn": assumed_arn}}

    def _expire(self, now):
        dead = [k for k, s in self.store["sessions"].items() if s["expires"] < now - 3600]
        for k in dead:
            del self.store["sessions"][k]
