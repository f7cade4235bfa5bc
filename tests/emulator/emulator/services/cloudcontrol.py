"""Cloud Control API (json 1.0, CloudApiService): any modelled resource through one API.

A front end over the emulator's own services (the types in _cloudcontrol_types: log groups,
SQS queues, SNS topics, ECR repositories, IAM roles), properties named as in their
CloudFormation schemas. CreateResource, UpdateResource and DeleteResource do their work when
they are received but answer IN_PROGRESS; the request's final status (SUCCESS, or FAILED with
a handler ErrorCode and the owning service's message) is reported by GetResourceRequestStatus
and ListResourceRequests once --cloudcontrol-delay-ms (emulator clock, default 0) has passed,
so a client always polls at least once. A ClientToken seen before answers the original request
(ClientTokenConflictException when its request differs). UpdateResource applies its RFC 6902
PatchDocument to the current model; create-only and read-only properties are NotUpdatable.
Unknown type names are TypeNotFoundException. The request log entry of each mutating call
carries its TypeName, Identifier and PatchDocument (detail), so tests can read the patch sent.
"""
import json
import uuid

from ..core import AwsError, Service
from ._cloudcontrol_types import TYPES
from ._common import page, region_store
from ._json_patch import PatchError, apply as apply_patch

# Cloud Control's HandlerErrorCode values; an AwsError with one of them keeps it.
HANDLER_CODES = ("NotUpdatable", "InvalidRequest", "AccessDenied", "InvalidCredentials",
                 "AlreadyExists", "NotFound", "ResourceConflict", "Throttling",
                 "ServiceLimitExceeded", "NotStabilized", "GeneralServiceException",
                 "ServiceInternalError", "ServiceTimeout", "NetworkFailure", "InternalFailure")


def _validation(msg):
    return AwsError("ValidationException", msg)


def _handler_code(err):
    """A native service error as a Cloud Control handler error code."""
    code = err.code.rsplit("#", 1)[-1]
    if code in HANDLER_CODES:
        return code
    if "NotFound" in code or "NoSuchEntity" in code or "DoesNotExist" in code:
        return "NotFound"
    if "Exists" in code:
        return "AlreadyExists"
    if "Throttl" in code:
        return "Throttling"
    return "InvalidRequest"


class CloudControl(Service):
    name = "cloudcontrolapi"
    protocol = "json"
    json_version = "1.0"
    target_prefix = "CloudApiService"
    throttle_code = "ThrottlingException"

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "requests", "tokens")

    @staticmethod
    def _type(params):
        name = params.get("TypeName")
        if not name:
            raise _validation("1 validation error detected: Value null at 'typeName' failed to "
                              "satisfy constraint: Member must not be null")
        t = TYPES.get(name)
        if t is None:
            raise AwsError("TypeNotFoundException", "The type '%s' cannot be found." % name)
        return t

    @staticmethod
    def _identifier(params):
        ident = params.get("Identifier")
        if not ident:
            raise _validation("1 validation error detected: Value null at 'identifier' failed to "
                              "satisfy constraint: Member must not be null")
        return ident

    def _event(self, ctx, req, fresh=False):
        """A request's ProgressEvent as the API shows it now."""
        done = not fresh and ctx.now() >= req["ready_at"]
        out = {k: req[k] for k in ("TypeName", "RequestToken", "Operation", "EventTime")}
        out["OperationStatus"] = req["status"] if done else "IN_PROGRESS"
        if req.get("Identifier"):
            out["Identifier"] = req["Identifier"]
        if done and req["status"] == "FAILED":
            out["ErrorCode"] = req["ErrorCode"]
            out["StatusMessage"] = req["StatusMessage"]
        if done and req.get("ResourceModel") is not None:
            out["ResourceModel"] = req["ResourceModel"]
        return out

    def _run(self, ctx, params, operation, t, ident, work):
        """Records a request, doing its work now; its outcome shows after the delay."""
        r = self._r(ctx)
        token = params.get("ClientToken")
        fingerprint = json.dumps({k: v for k, v in params.items() if k != "ClientToken"},
                                 sort_keys=True)
        if token:
            seen = r["tokens"].get(token)
            if seen is not None:
                req = r["requests"][seen]
                if req["fingerprint"] != fingerprint:
                    raise AwsError("ClientTokenConflictException", "The client token %s was "
                                   "used by another request." % token)
                return {"ProgressEvent": self._event(ctx, req)}
        req = {"TypeName": t.name, "RequestToken": str(uuid.uuid4()), "Operation": operation,
               "EventTime": ctx.now(), "Identifier": ident, "fingerprint": fingerprint,
               "ready_at": ctx.now() + self.emulator.config.cloudcontrol_delay_ms / 1000.0}
        try:
            req["Identifier"] = work() or ident
            req["status"] = "SUCCESS"
            if operation != "DELETE":
                req["ResourceModel"] = json.dumps(t.read(ctx, req["Identifier"]),
                                                  separators=(",", ":"))
        except AwsError as e:
            req.update(status="FAILED", ErrorCode=_handler_code(e), StatusMessage=e.message)
        except PatchError as e:
            req.update(status="FAILED", ErrorCode="InvalidRequest",
                       StatusMessage="Invalid patch: %s" % e)
        r["requests"][req["RequestToken"]] = req
        if token:
            r["tokens"][token] = req["RequestToken"]
        ctx.log_detail = {"TypeName": t.name, "Identifier": req["Identifier"],
                          "PatchDocument": params.get("PatchDocument")}
        return {"ProgressEvent": self._event(ctx, req, fresh=True)}

    def CreateResource(self, ctx, params):
        t = self._type(params)
        try:
            model = json.loads(params.get("DesiredState") or "")
        except ValueError:
            raise _validation("DesiredState is not a JSON document")
        if not isinstance(model, dict):
            raise _validation("DesiredState must be a JSON object")
        bad = [k for k in t.read_only if k in model]
        if bad:
            raise _validation("Model validation failed (#: extraneous key [%s] is not permitted)"
                              % bad[0])
        return self._run(ctx, params, "CREATE", t, None, lambda: t.create(ctx, model))

    def UpdateResource(self, ctx, params):
        t = self._type(params)
        ident = self._identifier(params)
        try:
            patch = json.loads(params.get("PatchDocument") or "")
        except ValueError:
            raise _validation("PatchDocument is not a JSON document")

        def work():
            old = t.read(ctx, ident)
            new = apply_patch(old, patch)
            for k in t.create_only + t.read_only:
                if old.get(k) != new.get(k):
                    raise AwsError("NotUpdatable", "Invalid patch update: %s property "
                                   "[/properties/%s] cannot be updated" %
                                   ("readOnly" if k in t.read_only else "createOnly", k))
            t.update(ctx, ident, old, new)
            return ident
        return self._run(ctx, params, "UPDATE", t, ident, work)

    def DeleteResource(self, ctx, params):
        t = self._type(params)
        ident = self._identifier(params)
        return self._run(ctx, params, "DELETE", t, ident, lambda: t.delete(ctx, ident))

    def GetResource(self, ctx, params):
        t = self._type(params)
        ident = self._identifier(params)
        try:
            model = t.read(ctx, ident)
        except AwsError as e:
            if _handler_code(e) == "NotFound":
                raise AwsError("ResourceNotFoundException", "Resource of type '%s' with "
                               "identifier '%s' was not found." % (t.name, ident))
            raise
        return {"TypeName": t.name, "ResourceDescription": {
            "Identifier": ident, "Properties": json.dumps(model, separators=(",", ":"))}}

    def ListResources(self, ctx, params):
        t = self._type(params)
        descs = []
        for ident in t.list(ctx):
            descs.append({"Identifier": ident,
                          "Properties": json.dumps(t.read(ctx, ident), separators=(",", ":"))})
        chunk, nxt = page(descs, params.get("NextToken"), int(params.get("MaxResults") or 20),
                          "InvalidRequestException", "Invalid NextToken")
        out = {"TypeName": t.name, "ResourceDescriptions": chunk}
        if nxt:
            out["NextToken"] = nxt
        return out

    def _request(self, ctx, params):
        req = self._r(ctx)["requests"].get(params.get("RequestToken") or "")
        if req is None:
            raise AwsError("RequestTokenNotFoundException", "Request with token %s was not "
                           "found." % params.get("RequestToken"))
        return req

    def GetResourceRequestStatus(self, ctx, params):
        req = self._request(ctx, params)
        return {"ProgressEvent": self._event(ctx, req)}

    def ListResourceRequests(self, ctx, params):
        f = params.get("ResourceRequestStatusFilter") or {}
        ops, statuses = f.get("Operations") or [], f.get("OperationStatuses") or []
        events = []
        for req in sorted(self._r(ctx)["requests"].values(), key=lambda q: q["EventTime"]):
            ev = self._event(ctx, req)
            if (not ops or ev["Operation"] in ops) and (not statuses or ev["OperationStatus"] in statuses):
                events.append(ev)
        chunk, nxt = page(events, params.get("NextToken"), int(params.get("MaxResults") or 100),
                          "InvalidRequestException", "Invalid NextToken")
        out = {"ResourceRequestStatusSummaries": chunk}
        if nxt:
            out["NextToken"] = nxt
        return out

    def CancelResourceRequest(self, ctx, params):
        req = self._request(ctx, params)
        # the work was done when the request arrived: there is nothing left to cancel
        raise AwsError("ConcurrentModificationException", "The request %s cannot be cancelled."
                       % req["RequestToken"])

    def is_mutating(self, action):
        return action in ("CreateResource", "UpdateResource", "DeleteResource")
