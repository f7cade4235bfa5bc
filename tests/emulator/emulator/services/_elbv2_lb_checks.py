"""ELBv2 load balancer checks beyond the basic shapes: the addresses of
subnet mappings (CreateLoadBalancer, SetSubnets) and the S3 bucket of
access logs (ModifyLoadBalancerAttributes).

A mapping's AllocationId (an EC2 Elastic IP of the region) is for an
internet-facing network load balancer, its PrivateIPv4Address (inside the
subnet's CIDR) for an internal one, its IPv6Address (inside the subnet's
IPv6 block) for a dualstack one; application load balancers take none.
Enabling access logs needs a bucket of the load balancer's region whose
policy allows s3:PutObject to the region's ELB account or to
logdelivery.elasticloadbalancing.amazonaws.com (a network load balancer's:
delivery.logs.amazonaws.com), as AWS's ELB guides say;
otherwise InvalidConfigurationRequest with AWS's message. The wording of
the mapping errors is the emulator's (AWS's codes).
"""

import ipaddress
import json

from ._elbv2_common import _err, _validation

# Elastic Load Balancing's account per region (AWS's access-log guide).
ELB_ACCOUNTS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "eu-west-1": "156460612806", "eu-central-1": "054676820928",
    "ap-northeast-1": "582318560864", "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
}
LOG_SERVICES = {"application": "logdelivery.elasticloadbalancing.amazonaws.com",
                "network": "delivery.logs.amazonaws.com"}


def _in(address, cidr, what):
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(cidr)
    except ValueError:
        raise _validation("%s '%s' is not valid" % (what, address))


def mapping_addresses(ec2, mapping, subnet, lb_type, scheme):
    """The LoadBalancerAddresses entry of one SubnetMapping (None: no address given)."""
    alloc = mapping.get("AllocationId")
    private = mapping.get("PrivateIPv4Address")
    ipv6 = mapping.get("IPv6Address")
    if not (alloc or private or ipv6):
        return None
    if lb_type != "network":
        raise _err("InvalidConfigurationRequest", "Subnet mapping addresses can be specified "
                   "only for Network Load Balancers")
    out = {}
    if alloc:
        if scheme != "internet-facing":
            raise _err("InvalidConfigurationRequest", "An Elastic IP address can be specified only "
                       "for an internet-facing load balancer")
        eip = ec2["eip"].get(alloc)
        if eip is None:
            raise _err("AllocationIdNotFound", "Allocation ID '%s' not found" % alloc)
        out.update({"IpAddress": eip["ip"], "AllocationId": alloc})
    if private:
        if scheme != "internal":
            raise _err("InvalidConfigurationRequest", "A private IPv4 address can be specified "
                       "only for an internal load balancer")
        if not _in(private, subnet["cidr"], "Private IPv4 address"):
            raise _err("InvalidConfigurationRequest", "Private IPv4 address '%s' is not in subnet "
                       "'%s'" % (private, subnet["id"]))
        out["PrivateIPv4Address"] = private
    if ipv6:
        block = (subnet.get("ipv6") or {}).get("cidr")
        if not block or not _in(ipv6, block, "IPv6 address"):
            raise _err("InvalidConfigurationRequest", "IPv6 address '%s' is not in subnet '%s'"
                       % (ipv6, subnet["id"]))
        out["IPv6Address"] = ipv6
    return out


def _grants_elb(policy, region, lb_type):
    try:
        doc = json.loads(policy)
    except ValueError:
        return False
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    account = ELB_ACCOUNTS.get(region)
    for st in statements:
        if st.get("Effect") != "Allow":
            continue
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(a in ("s3:PutObject", "s3:*", "*") for a in actions):
            continue
        principal = st.get("Principal", {})
        if not isinstance(principal, dict):
            continue
        services = principal.get("Service", [])
        services = [services] if isinstance(services, str) else services
        roots = principal.get("AWS", [])
        roots = [roots] if isinstance(roots, str) else roots
        if LOG_SERVICES.get(lb_type) in services or (lb_type == "application" and account and any(
                r in (account, "arn:aws:iam::%s:root" % account) for r in roots)):
            return True
    return False


def check_access_logs(s3_store, region, lb_type, attrs):
    """Raises AWS's error when attrs turn access logs on without a usable bucket."""
    if attrs.get("access_logs.s3.enabled") != "true":
        return
    name = attrs.get("access_logs.s3.bucket", "")
    if not name:
        raise _validation("The value of 'access_logs.s3.bucket' cannot be empty when access logs "
                          "are enabled")
    bucket = (s3_store or {}).get("buckets", {}).get(name)
    if bucket is None or bucket.get("region") != region:
        raise _err("InvalidConfigurationRequest", "The specified bucket does not exist")
    policy = bucket.get("config", {}).get("policy")
    if not policy or not _grants_elb(policy, region, lb_type):
        raise _err("InvalidConfigurationRequest", "Access Denied for bucket: %s. Please check "
                   "S3bucket permission" % name)
