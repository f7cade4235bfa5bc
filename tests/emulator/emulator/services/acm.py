"""ACM (json 1.1, CertificateManager): certificates requested with DNS (or email) validation,
their validation records, tags, and the in-use check on delete.

Per region: certificates by ARN. Each domain of a DNS-validated certificate has a validation
CNAME whose name and value depend only on the account and the domain (a wildcard "*.x"
validates as "x"), as ACM's do, so certificates for one domain share one record. A certificate
is ISSUED when described once every domain's validation CNAME exists in the emulator's
Route 53 with that value (computed when described, never by a thread); IssuedAt is that
moment. A certificate named by a load balancer listener (ELBv2) is in use: its InUseBy lists
the load balancers, and DeleteCertificate is ResourceInUseException.
"""
import hashlib
import re
import uuid

from ..core import AwsError, Service
from ._common import as_int, as_list, paged, region_store, require, tags_in, tags_out

DOMAIN = re.compile(r"^(\*\.)?(([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])\.)+"
                    r"[A-Za-z0-9-]{2,}$")
KEY_ALGORITHMS = ("RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1",
                  "EC_secp384r1", "EC_secp521r1")
YEAR = 395 * 86400


def _not_found(arn):
    return AwsError("ResourceNotFoundException", "Could not find certificate %s." % arn)


def validation_record(account, domain):
    """(name, value) of the validation CNAME for domain in account."""
    base = domain[2:] if domain.startswith("*.") else domain
    h = hashlib.sha256(("%s:%s" % (account, base.lower())).encode()).hexdigest()
    return "_%s.%s." % (h[:32], base.lower()), "_%s.%s.acm-validations.aws." % (h[32:64], h[:10])


class ACM(Service):
    name = "acm"
    protocol = "json"
    json_version = "1.1"
    target_prefix = "CertificateManager"
    throttle_code = "ThrottlingException"
    mutating_prefixes = Service.mutating_prefixes + ("Request", "Import", "Renew", "Resend")

    def _r(self, ctx):
        return region_store(self.store, ctx.region, "certs")

    def _cert(self, ctx, params):
        arn = require(params, "CertificateArn")
        if not arn.startswith("arn:aws:acm:"):
            raise AwsError("InvalidArnException", "String '%s' is not a valid ARN." % arn)
        c = self._r(ctx)["certs"].get(arn)
        if c is None or not ctx.visible(c["created"]):
            raise _not_found(arn)
        return c

    def _in_use_by(self, ctx, arn):
        elb = self.emulator.services.get("elasticloadbalancing")
        if elb is None or not hasattr(elb, "certificate_users"):
            return []
        return elb.certificate_users(ctx, arn)

    def _refresh(self, ctx, c):
        """Moves a PENDING_VALIDATION certificate to ISSUED once its records exist."""
        if c["Status"] != "PENDING_VALIDATION" or c["ValidationMethod"] != "DNS":
            return
        r53 = self.emulator.services.get("route53")
        if r53 is None:
            return
        for d in c["domains"]:
            name, value = validation_record(ctx.account_id, d)
            if value not in r53.find_record(name, "CNAME"):
                return
        c["Status"], c["issued"] = "ISSUED", ctx.now()

    def _cert_out(self, ctx, c):
        self._refresh(ctx, c)
        issued = c["Status"] == "ISSUED"
        options = []
        for d in c["domains"]:
            o = {"DomainName": d, "ValidationDomain": d,
                 "ValidationStatus": "SUCCESS" if issued else "PENDING_VALIDATION",
                 "ValidationMethod": c["ValidationMethod"]}
            if c["ValidationMethod"] == "DNS":
                name, value = validation_record(ctx.account_id, d)
                o["ResourceRecord"] = {"Name": name, "Type": "CNAME", "Value": value}
            else:
                base = d[2:] if d.startswith("*.") else d
                o["ValidationEmails"] = ["admin@" + base, "hostmaster@" + base]
            options.append(o)
        out = {"CertificateArn": c["arn"], "DomainName": c["domains"][0],
               "SubjectAlternativeNames": list(c["domains"]), "DomainValidationOptions": options,
               "Status": c["Status"], "Type": "AMAZON_ISSUED", "KeyAlgorithm": c["KeyAlgorithm"],
               "SignatureAlgorithm": "SHA256WITHRSA", "CreatedAt": c["created"],
               "InUseBy": self._in_use_by(ctx, c["arn"]),
               "Options": {"CertificateTransparencyLoggingPreference": c["ctlog"]},
               "RenewalEligibility": "ELIGIBLE" if issued else "INELIGIBLE"}
        if issued:
            out.update(IssuedAt=c["issued"], NotBefore=c["issued"], NotAfter=c["issued"] + YEAR,
                       Issuer="Amazon", Subject="CN=" + c["domains"][0],
                       Serial=":".join(c["serial"][i:i + 2] for i in range(0, 32, 2)))
        return out

    def RequestCertificate(self, ctx, params):
        domain = require(params, "DomainName")
        sans = as_list(params.get("SubjectAlternativeNames"))
        for d in [domain] + sans:
            if not isinstance(d, str) or not DOMAIN.match(d) or len(d) > 253:
                raise AwsError("InvalidDomainValidationOptionsException",
                               "Domain name %s is not valid." % (d,))
        if len(sans) > 100:
            raise AwsError("LimitExceededException", "Too many SubjectAlternativeNames")
        method = params.get("ValidationMethod", "EMAIL")
        if method not in ("DNS", "EMAIL"):
            raise AwsError("ValidationException", "Invalid ValidationMethod %s" % method)
        algo = params.get("KeyAlgorithm", "RSA_2048")
        if algo not in KEY_ALGORITHMS:
            raise AwsError("ValidationException", "Invalid KeyAlgorithm %s" % algo)
        token = params.get("IdempotencyToken")
        if token is not None and not re.fullmatch(r"\w{1,32}", token):
            raise AwsError("ValidationException", "IdempotencyToken must be 1-32 word characters")
        tags = tags_in(params.get("Tags"), code="InvalidTagException")
        certs = self._r(ctx)["certs"]
        domains = [domain] + [d for d in sans if d != domain]
        if token:
            for c in certs.values():
                if c.get("token") == token and c["domains"] == domains and \
                        ctx.now() - c["created"] < 3600:
                    return {"CertificateArn": c["arn"]}
        arn = "arn:aws:acm:%s:%s:certificate/%s" % (ctx.region, ctx.account_id, uuid.uuid4())
        certs[arn] = {"arn": arn, "domains": domains, "ValidationMethod": method,
                      "KeyAlgorithm": algo, "Status": "PENDING_VALIDATION", "created": ctx.now(),
                      "token": token, "Tags": tags, "serial": uuid.uuid4().hex,
                      "ctlog": (params.get("Options") or {}).get(
                          "CertificateTransparencyLoggingPreference", "ENABLED")}
        return {"CertificateArn": arn}

    def DescribeCertificate(self, ctx, params):
        return {"Certificate": self._cert_out(ctx, self._cert(ctx, params))}

    def ListCertificates(self, ctx, params):
        statuses = as_list(params.get("CertificateStatuses"))
        items = []
        for _, c in sorted(self._r(ctx)["certs"].items(), key=lambda kv: kv[1]["created"]):
            if not ctx.visible(c["created"]):
                continue
            self._refresh(ctx, c)
            if statuses and c["Status"] not in statuses:
                continue
            items.append(c)
        limit = as_int(params.get("MaxItems", 1000), "MaxItems")
        return paged(items, params, limit, "CertificateSummaryList", "InvalidArgsException",
                     "Invalid NextToken", token="NextToken", render=lambda c: {
                         "CertificateArn": c["arn"], "DomainName": c["domains"][0],
                         "SubjectAlternativeNameSummaries": list(c["domains"]),
                         "Status": c["Status"], "Type": "AMAZON_ISSUED",
                         "KeyAlgorithm": c["KeyAlgorithm"], "CreatedAt": c["created"],
                         "InUse": bool(self._in_use_by(ctx, c["arn"]))})

    def DeleteCertificate(self, ctx, params):
        c = self._cert(ctx, params)
        if self._in_use_by(ctx, c["arn"]):
            raise AwsError("ResourceInUseException", "Certificate %s in account %s is in use."
                           % (c["arn"], ctx.account_id))
        del self._r(ctx)["certs"][c["arn"]]
        return {}

    def UpdateCertificateOptions(self, ctx, params):
        c = self._cert(ctx, params)
        pref = (require(params, "Options") or {}).get("CertificateTransparencyLoggingPreference")
        if pref not in ("ENABLED", "DISABLED"):
            raise AwsError("ValidationException", "Invalid CertificateTransparencyLoggingPreference")
        c["ctlog"] = pref
        return {}

    def AddTagsToCertificate(self, ctx, params):
        c = self._cert(ctx, params)
        new = tags_in(require(params, "Tags"), code="InvalidTagException")
        if len(dict(c["Tags"], **new)) > 50:
            raise AwsError("TooManyTagsException", "the certificate would have more than 50 tags")
        c["Tags"].update(new)
        return {}

    def RemoveTagsFromCertificate(self, ctx, params):
        c = self._cert(ctx, params)
        for t in as_list(require(params, "Tags")):
            if t.get("Key") in c["Tags"] and ("Value" not in t or c["Tags"][t["Key"]] == t["Value"]):
                del c["Tags"][t["Key"]]
        return {}

    def ListTagsForCertificate(self, ctx, params):
        return {"Tags": tags_out(self._cert(ctx, params)["Tags"])}

    def inventory(self):
        return {"certificate": [
            {"id": c["arn"], "region": region, "domains": c["domains"], "status": c["Status"],
             "validation_method": c["ValidationMethod"], "tags": c["Tags"]}
            for region, r in self.store.get("regions", {}).items()
            for c in r["certs"].values()]}
