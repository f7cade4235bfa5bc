"""ELBv2 over HTTP (query protocol, 2015-12-01): load balancers
(provisioning -> active after --lb-delay-ms on the emulator clock, ARNs,
DNS names, duplicate names), target groups (defaults, ResourceInUse),
listeners (forward / fixed-response / redirect; HTTPS with issued ACM
certificates), listener rules and certificates, tags, attributes,
SetSubnets / SetSecurityGroups / SetIpAddressType, Marker paging, the NotFound errors and the
EC2 side of the dependency (subnets and groups used by a load balancer)."""

import re
import unittest

import testclient as tc

LB_ARN = re.compile(r"^arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:"
                    r"loadbalancer/app/web/[0-9a-f]{16}$")
TG_ARN = re.compile(r"^arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:"
                    r"targetgroup/app/[0-9a-f]{16}$")


class Elbv2Test(tc.EmulatorCase):
    server_options = {"lb_delay_ms": 1000}
    reset = True

    def setUp(self):
        super().setUp()
        ec2 = self.ec2
        self.vpc = ec2("CreateVpc", {"CidrBlock": "10.0.0.0/16"}).xml.findtext("vpc/vpcId")
        self.igw = ec2("CreateInternetGateway").xml.findtext("internetGateway/internetGatewayId")
        ec2("AttachInternetGateway", {"InternetGatewayId": self.igw, "VpcId": self.vpc})
        self.subnets = [ec2("CreateSubnet", {"VpcId": self.vpc, "CidrBlock": "10.0.%d.0/24" % i,
                                             "AvailabilityZone": "ap-northeast-2" + z}
                            ).xml.findtext("subnet/subnetId") for i, z in ((1, "a"), (2, "b"),
                                                                             (3, "c"))]
        self.sg = ec2("CreateSecurityGroup", {"GroupName": "alb", "GroupDescription": "alb",
                                              "VpcId": self.vpc}).xml.findtext("groupId")

    def ec2(self, action, params=None):
        r = self.c.call_query("ec2", action, params or {})
        self.assertEqual(r.status, 200, r)
        return r

    def call(self, action, params=None):
        return self.c.call_query("elasticloadbalancing", action, params or {})

    def ok(self, action, params=None):
        r = self.call(action, params)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.xml.findtext("ResponseMetadata/RequestId"))
        return r

    def fails(self, code, action, params=None):
        r = self.call(action, params)
        self.assertEqual((r.status, r.error_code), (400, code), r)
        self.assertEqual(r.xml.tag, "ErrorResponse")
        return r

    def lb(self, name="web", **extra):
        p = {"Name": name, "Subnets": {"member": self.subnets[:2]},
             "SecurityGroups": {"member": [self.sg]}}
        p.update(extra)
        r = self.ok("CreateLoadBalancer", p)
        return r.xml.find("CreateLoadBalancerResult/LoadBalancers/member")

    def tg(self, name="app", **extra):
        p = {"Name": name, "Protocol": "HTTP", "Port": "8080", "VpcId": self.vpc,
             "TargetType": "ip"}
        p.update(extra)
        r = self.ok("CreateTargetGroup", p)
        return r.xml.find("CreateTargetGroupResult/TargetGroups/member")

    def forward(self, lb_arn, tg_arn, port="80"):
        r = self.ok("CreateListener", {"LoadBalancerArn": lb_arn, "Protocol": "HTTP",
                                       "Port": port, "DefaultActions": {"member": [
                                           {"Type": "forward", "TargetGroupArn": tg_arn}]}})
        return r.xml.findtext("CreateListenerResult/Listeners/member/ListenerArn")

    def test_load_balancer_round_trip_and_state(self):
        lb = self.lb(Tags={"member": [{"Key": "env", "Value": "dev"}]})
        arn = lb.findtext("LoadBalancerArn")
        self.assertRegex(arn, LB_ARN)
        self.assertRegex(lb.findtext("DNSName"), r"^web-\d+\.ap-northeast-2\.elb\.amazonaws\.com$")
        self.assertEqual(lb.findtext("CanonicalHostedZoneId"), "ZWKZPGTI48KDX")
        self.assertEqual((lb.findtext("State/Code"), lb.findtext("Type"), lb.findtext("Scheme"),
                          lb.findtext("VpcId")),
                         ("provisioning", "application", "internet-facing", self.vpc))
        self.assertEqual(sorted(e.text for e in lb.findall("AvailabilityZones/member/SubnetId")),
                         sorted(self.subnets[:2]))
        self.assertEqual([e.text for e in lb.findall("SecurityGroups/member")], [self.sg])

        def state():
            r = self.ok("DescribeLoadBalancers", {"LoadBalancerArns": {"member": [arn]}})
            return r.xml.findtext("DescribeLoadBalancersResult/LoadBalancers/member/State/Code")
        self.assertEqual(state(), "provisioning")
        self.emu.admin("POST", "clock", {"advance": 1.5})
        self.assertEqual(state(), "active")
        r = self.ok("DescribeLoadBalancers", {"Names": {"member": ["web"]}})
        self.assertEqual(r.xml.findtext(
            "DescribeLoadBalancersResult/LoadBalancers/member/LoadBalancerArn"), arn)
        self.fails("DuplicateLoadBalancerName", "CreateLoadBalancer", {
            "Name": "web", "Subnets": {"member": self.subnets[:2]}})
        self.ok("DeleteLoadBalancer", {"LoadBalancerArn": arn})
        self.fails("LoadBalancerNotFound", "DescribeLoadBalancers",
                   {"LoadBalancerArns": {"member": [arn]}})
        self.fails("LoadBalancerNotFound", "DescribeLoadBalancers", {"Names": {"member": ["web"]}})
        self.ok("DeleteLoadBalancer", {"LoadBalancerArn": arn})   # deleting again succeeds
        self.assertEqual(self.emu.admin("GET", "inventory")[1]["elasticloadbalancing"]
                         ["load_balancer"], [])

    def test_create_validation(self):
        self.fails("ValidationError", "CreateLoadBalancer", {"Subnets": {"member": self.subnets}})
        self.fails("ValidationError", "CreateLoadBalancer", {
            "Name": "-bad-", "Subnets": {"member": self.subnets}})
        self.fails("ValidationError", "CreateLoadBalancer", {
            "Name": "one", "Subnets": {"member": self.subnets[:1]}})
        self.fails("SubnetNotFound", "CreateLoadBalancer", {
            "Name": "x", "Subnets": {"member": [self.subnets[0], "subnet-0123456789abcdef0"]}})
        self.fails("InvalidSecurityGroup", "CreateLoadBalancer", {
            "Name": "x", "Subnets": {"member": self.subnets[:2]},
            "SecurityGroups": {"member": ["sg-0123456789abcdef0"]}})
        self.ec2("DetachInternetGateway", {"InternetGatewayId": self.igw, "VpcId": self.vpc})
        self.fails("InvalidSubnet", "CreateLoadBalancer", {
            "Name": "x", "Subnets": {"member": self.subnets[:2]}})
        r = self.ok("CreateLoadBalancer", {"Name": "inner", "Scheme": "internal",
                                           "Subnets": {"member": self.subnets[:2]}})
        dns = r.xml.findtext("CreateLoadBalancerResult/LoadBalancers/member/DNSName")
        self.assertTrue(dns.startswith("internal-inner-"), dns)

    def test_network_load_balancer(self):
        r = self.ok("CreateLoadBalancer", {"Name": "nlb", "Type": "network",
                                           "Subnets": {"member": self.subnets[:1]}})
        lb = r.xml.find("CreateLoadBalancerResult/LoadBalancers/member")
        arn = lb.findtext("LoadBalancerArn")
        self.assertIn(":loadbalancer/net/nlb/", arn)
        self.assertRegex(lb.findtext("DNSName"), r"^nlb-[0-9a-f]{16}\.elb\.ap-northeast-2\."
                                                 r"amazonaws\.com$")
        self.fails("InvalidConfigurationRequest", "SetSecurityGroups", {
            "LoadBalancerArn": arn, "SecurityGroups": {"member": [self.sg]}})
        tcp = self.tg("tcp", Protocol="TCP", Port="5432")
        http = self.tg("http")
        self.fails("UnsupportedProtocol", "CreateListener", {
            "LoadBalancerArn": arn, "Protocol": "HTTP", "Port": "80", "DefaultActions": {
                "member": [{"Type": "forward", "TargetGroupArn": tcp.findtext("TargetGroupArn")}]}})
        self.fails("IncompatibleProtocols", "CreateListener", {
            "LoadBalancerArn": arn, "Protocol": "TCP", "Port": "80", "DefaultActions": {
                "member": [{"Type": "forward",
                            "TargetGroupArn": http.findtext("TargetGroupArn")}]}})
        self.ok("CreateListener", {"LoadBalancerArn": arn, "Protocol": "TCP", "Port": "5432",
                                   "DefaultActions": {"member": [{
                                       "Type": "forward",
                                       "TargetGroupArn": tcp.findtext("TargetGroupArn")}]}})

    def test_target_group_defaults_modify_and_in_use(self):
        tg = self.tg(HealthCheckPath="/health")
        arn = tg.findtext("TargetGroupArn")
        self.assertRegex(arn, TG_ARN)
        self.assertEqual({k: tg.findtext(k) for k in (
            "Protocol", "Port", "VpcId", "TargetType", "HealthCheckProtocol", "HealthCheckPort",
            "HealthCheckPath", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds",
            "HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher/HttpCode",
            "ProtocolVersion", "HealthCheckEnabled")}, {
            "Protocol": "HTTP", "Port": "8080", "VpcId": self.vpc, "TargetType": "ip",
            "HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port",
            "HealthCheckPath": "/health", "HealthCheckIntervalSeconds": "30",
            "HealthCheckTimeoutSeconds": "6", "HealthyThresholdCount": "5",
            "UnhealthyThresholdCount": "2", "Matcher/HttpCode": "200", "ProtocolVersion": "HTTP1",
            "HealthCheckEnabled": "true"})
        # same name and settings: the same group; other settings: DuplicateTargetGroupName
        self.assertEqual(self.tg(HealthCheckPath="/health").findtext("TargetGroupArn"), arn)
        self.fails("DuplicateTargetGroupName", "CreateTargetGroup", {
            "Name": "app", "Protocol": "HTTP", "Port": "9090", "VpcId": self.vpc})
        self.fails("ValidationError", "CreateTargetGroup", {
            "Name": "x", "Protocol": "HTTP", "Port": "70000", "VpcId": self.vpc})
        self.fails("ValidationError", "CreateTargetGroup", {"Name": "x", "Protocol": "HTTP",
                                                            "Port": "80"})
        r = self.ok("ModifyTargetGroup", {"TargetGroupArn": arn, "HealthCheckIntervalSeconds": "10",
                                          "Matcher": {"HttpCode": "200-299"}})
        m = r.xml.find("ModifyTargetGroupResult/TargetGroups/member")
        self.assertEqual((m.findtext("HealthCheckIntervalSeconds"), m.findtext("Matcher/HttpCode")),
                         ("10", "200-299"))
        self.fails("ValidationError", "ModifyTargetGroup", {"TargetGroupArn": arn,
                                                            "HealthCheckIntervalSeconds": "1"})
        lb_arn = self.lb().findtext("LoadBalancerArn")
        listener = self.forward(lb_arn, arn)
        r = self.ok("DescribeTargetGroups", {"LoadBalancerArn": lb_arn})
        self.assertEqual([e.text for e in r.items(
            "DescribeTargetGroupsResult/TargetGroups/member/LoadBalancerArns/member")], [lb_arn])
        self.fails("ResourceInUse", "DeleteTargetGroup", {"TargetGroupArn": arn})
        self.ok("DeleteListener", {"ListenerArn": listener})
        self.ok("DeleteTargetGroup", {"TargetGroupArn": arn})
        self.fails("TargetGroupNotFound", "DescribeTargetGroups",
                   {"TargetGroupArns": {"member": [arn]}})
        self.fails("TargetGroupNotFound", "ModifyTargetGroup", {"TargetGroupArn": arn,
                                                                "HealthCheckPath": "/"})

    def test_listener_actions(self):
        lb_arn = self.lb().findtext("LoadBalancerArn")
        tg_arn = self.tg().findtext("TargetGroupArn")
        arn = self.forward(lb_arn, tg_arn)
        self.assertRegex(arn, r"^arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:"
                              r"listener/app/web/[0-9a-f]{16}/[0-9a-f]{16}$")
        self.fails("DuplicateListener", "CreateListener", {
            "LoadBalancerArn": lb_arn, "Protocol": "HTTP", "Port": "80",
            "DefaultActions": {"member": [{"Type": "forward", "TargetGroupArn": tg_arn}]}})
        r = self.ok("DescribeListeners", {"LoadBalancerArn": lb_arn})
        a = r.xml.find("DescribeListenersResult/Listeners/member/DefaultActions/member")
        self.assertEqual((a.findtext("Type"), a.findtext("TargetGroupArn"),
                          a.findtext("ForwardConfig/TargetGroups/member/TargetGroupArn"),
                          a.findtext("ForwardConfig/TargetGroups/member/Weight")),
                         ("forward", tg_arn, tg_arn, "1"))
        r = self.ok("ModifyListener", {"ListenerArn": arn, "DefaultActions": {"member": [{
            "Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                   "StatusCode": "HTTP_301"}}]}})
        rc = r.xml.find("ModifyListenerResult/Listeners/member/DefaultActions/member/"
                        "RedirectConfig")
        self.assertEqual({e.tag: e.text for e in rc}, {
            "Protocol": "HTTPS", "Port": "443", "Host": "#{host}", "Path": "/#{path}",
            "Query": "#{query}", "StatusCode": "HTTP_301"})
        r = self.ok("ModifyListener", {"ListenerArn": arn, "DefaultActions": {"member": [{
            "Type": "fixed-response", "FixedResponseConfig": {
                "StatusCode": "503", "ContentType": "text/plain", "MessageBody": "down"}}]}})
        fr = r.xml.find("ModifyListenerResult/Listeners/member/DefaultActions/member/"
                        "FixedResponseConfig")
        self.assertEqual((fr.findtext("StatusCode"), fr.findtext("MessageBody")), ("503", "down"))
        # the group is no longer used by a listener: it can go
        self.ok("DeleteTargetGroup", {"TargetGroupArn": tg_arn})
        self.fails("ValidationError", "ModifyListener", {"ListenerArn": arn, "DefaultActions": {
            "member": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "302"}}]}})
        self.fails("ValidationError", "ModifyListener", {"ListenerArn": arn, "DefaultActions": {
            "member": [{"Type": "redirect", "RedirectConfig": {"StatusCode": "HTTP_307"}}]}})
        self.fails("TargetGroupNotFound", "ModifyListener", {"ListenerArn": arn, "DefaultActions": {
            "member": [{"Type": "forward", "TargetGroupArn": tg_arn}]}})
        self.fails("ValidationError", "CreateListener", {
            "LoadBalancerArn": lb_arn, "Protocol": "HTTP", "Port": "8080",
            "Certificates": {"member": [{"CertificateArn": "arn:aws:acm:ap-northeast-2:"
                                                           "123456789012:certificate/x"}]},
            "DefaultActions": {"member": [{"Type": "fixed-response", "FixedResponseConfig": {
                "StatusCode": "200"}}]}})
        self.fails("ValidationError", "CreateListener", {
            "LoadBalancerArn": lb_arn, "Protocol": "HTTPS", "Port": "443", "DefaultActions": {
                "member": [{"Type": "fixed-response", "FixedResponseConfig": {
                    "StatusCode": "200"}}]}})
        self.fails("ValidationError", "DescribeListeners", {})
        self.ok("DeleteListener", {"ListenerArn": arn})
        self.fails("ListenerNotFound", "DeleteListener", {"ListenerArn": arn})
        self.fails("ListenerNotFound", "DescribeListeners", {"ListenerArns": {"member": [arn]}})
        self.fails("LoadBalancerNotFound", "CreateListener", {
            "LoadBalancerArn": lb_arn[:-1] + ("0" if lb_arn[-1] != "0" else "1"),
            "Protocol": "HTTP", "Port": "81", "DefaultActions": {"member": [{
                "Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}]}})

    def issued_certificate(self, domain="app.example.com"):
        """An ACM certificate made ISSUED by its validation CNAME in a Route 53 zone."""
        r = self.c.call_json("acm", "CertificateManager.RequestCertificate",
                             {"DomainName": domain, "ValidationMethod": "DNS"})
        self.assertEqual(r.status, 200, r)
        arn = r.json["CertificateArn"]
        rr = self.c.call_json("acm", "CertificateManager.DescribeCertificate", {
            "CertificateArn": arn}).json["Certificate"]["DomainValidationOptions"][0][
            "ResourceRecord"]
        ns = "https://route53.amazonaws.com/doc/2013-04-01/"
        z = self.c.raw("POST", "/2013-04-01/hostedzone", '<CreateHostedZoneRequest xmlns="%s">'
                       "<Name>%s</Name><CallerReference>%s</CallerReference>"
                       "</CreateHostedZoneRequest>" % (ns, domain, arn[-12:]), service="route53")
        self.assertEqual(z.status, 201, z)
        zone = z.xml.findtext("HostedZone/Id").split("/")[-1]
        ch = self.c.raw("POST", "/2013-04-01/hostedzone/%s/rrset/" % zone,
                        '<ChangeResourceRecordSetsRequest xmlns="%s"><ChangeBatch><Changes>'
                        "<Change><Action>CREATE</Action><ResourceRecordSet><Name>%s</Name>"
                        "<Type>CNAME</Type><TTL>60</TTL><ResourceRecords><ResourceRecord>"
                        "<Value>%s</Value></ResourceRecord></ResourceRecords>"
                        "</ResourceRecordSet></Change></Changes></ChangeBatch>"
                        "</ChangeResourceRecordSetsRequest>" % (ns, rr["Name"], rr["Value"]),
                        service="route53")
        self.assertEqual(ch.status, 200, ch)
        return arn

    def test_tls_listener_alpn_policy(self):
        nlb = self.ok("CreateLoadBalancer", {"Name": "net", "Type": "network", "Subnets": {
            "member": self.subnets[:1]}}).xml.findtext(
            "CreateLoadBalancerResult/LoadBalancers/member/LoadBalancerArn")
        tg = self.tg("tcp", Protocol="TCP", Port="443").findtext("TargetGroupArn")
        cert = self.issued_certificate()
        params = {"LoadBalancerArn": nlb, "Protocol": "TLS", "Port": "443",
                  "Certificates": {"member": [{"CertificateArn": cert}]},
                  "DefaultActions": {"member": [{"Type": "forward", "TargetGroupArn": tg}]}}
        self.fails("ALPNPolicyNotFound", "CreateListener",
                   dict(params, AlpnPolicy={"member": ["HTTP3Only"]}))
        ls = self.ok("CreateListener", dict(params, AlpnPolicy={"member": ["HTTP2Preferred"]})
                     ).xml.find("CreateListenerResult/Listeners/member")
        self.assertEqual(ls.findtext("AlpnPolicy/member"), "HTTP2Preferred")
        arn = ls.findtext("ListenerArn")
        r = self.ok("ModifyListener", {"ListenerArn": arn, "AlpnPolicy": {"member": ["None"]}})
        self.assertEqual(r.xml.findtext("ModifyListenerResult/Listeners/member/AlpnPolicy/member"),
                         "None")
        # only TLS listeners negotiate ALPN
        alb = self.lb().findtext("LoadBalancerArn")
        self.fails("ALPNPolicyNotFound", "CreateListener", {
            "LoadBalancerArn": alb, "Protocol": "HTTPS", "Port": "443",
            "Certificates": {"member": [{"CertificateArn": cert}]},
            "AlpnPolicy": {"member": ["HTTP2Preferred"]},
            "DefaultActions": {"member": [{"Type": "fixed-response", "FixedResponseConfig": {
                "StatusCode": "200"}}]}})

    def test_https_listener(self):
        # (this test first used a made-up certificate ARN, which AWS refuses: CertificateNotFound)
        lb_arn = self.lb().findtext("LoadBalancerArn")
        self.fails("CertificateNotFound", "CreateListener", {
            "LoadBalancerArn": lb_arn, "Protocol": "HTTPS", "Port": "443",
            "Certificates": {"member": [{"CertificateArn": "arn:aws:acm:ap-northeast-2:"
                                                           "123456789012:certificate/0123"}]},
            "DefaultActions": {"member": [{"Type": "fixed-response", "FixedResponseConfig": {
                "StatusCode": "200"}}]}})
        cert = self.issued_certificate()
        r = self.ok("CreateListener", {
            "LoadBalancerArn": lb_arn, "Protocol": "HTTPS", "Port": "443",
            "Certificates": {"member": [{"CertificateArn": cert}]},
            "DefaultActions": {"member": [{"Type": "fixed-response", "FixedResponseConfig": {
                "StatusCode": "200"}}]}})
        ls = r.xml.find("CreateListenerResult/Listeners/member")
        self.assertEqual((ls.findtext("Protocol"), ls.findtext("Port"),
                          ls.findtext("Certificates/member/CertificateArn")),
                         ("HTTPS", "443", cert))
        self.assertEqual(ls.findtext("SslPolicy"), "ELBSecurityPolicy-2016-08")   # AWS's default
        arn = ls.findtext("ListenerArn")
        self.fails("SSLPolicyNotFound", "ModifyListener", {
            "ListenerArn": arn, "SslPolicy": "ELBSecurityPolicy-Made-Up"})
        # the certificate is in use: ACM names the load balancer and refuses to delete it
        d = self.c.call_json("acm", "CertificateManager.DescribeCertificate",
                             {"CertificateArn": cert}).json["Certificate"]
        self.assertEqual(d["InUseBy"], [lb_arn])
        r = self.c.call_json("acm", "CertificateManager.DeleteCertificate",
                             {"CertificateArn": cert})
        self.assertEqual(r.error_code, "ResourceInUseException")
        # an extra certificate (SNI) beside the default one
        other = self.issued_certificate("api.example.org")
        self.ok("AddListenerCertificates", {"ListenerArn": arn, "Certificates": {
            "member": [{"CertificateArn": other}]}})
        certs = self.ok("DescribeListenerCertificates", {"ListenerArn": arn}).xml.findall(
            "DescribeListenerCertificatesResult/Certificates/member")
        self.assertEqual(sorted((c.findtext("CertificateArn"), c.findtext("IsDefault"))
                                for c in certs), sorted([(cert, "true"), (other, "false")]))
        self.fails("OperationNotPermitted", "RemoveListenerCertificates", {
            "ListenerArn": arn, "Certificates": {"member": [{"CertificateArn": cert}]}})
        self.ok("RemoveListenerCertificates", {"ListenerArn": arn, "Certificates": {
            "member": [{"CertificateArn": other}]}})
        self.ok("DeleteListener", {"ListenerArn": arn})
        r = self.c.call_json("acm", "CertificateManager.DeleteCertificate",
                             {"CertificateArn": cert})
        self.assertEqual(r.status, 200, r)

    def test_http_redirects_to_https(self):
        lb_arn = self.lb().findtext("LoadBalancerArn")
        r = self.ok("CreateListener", {
            "LoadBalancerArn": lb_arn, "Protocol": "HTTP", "Port": "80",
            "DefaultActions": {"member": [{"Type": "redirect", "RedirectConfig": {
                "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]}})
        cfg = r.xml.find("CreateListenerResult/Listeners/member/DefaultActions/member/"
                         "RedirectConfig")
        self.assertEqual((cfg.findtext("Protocol"), cfg.findtext("Port"), cfg.findtext("Host"),
                          cfg.findtext("Path"), cfg.findtext("StatusCode")),
                         ("HTTPS", "443", "#{host}", "/#{path}", "HTTP_301"))

    def test_listener_rules(self):
        lb_arn = self.lb().findtext("LoadBalancerArn")
        tg_a = self.tg().findtext("TargetGroupArn")
        tg_b = self.tg("other").findtext("TargetGroupArn")
        ls = self.ok("CreateListener", {
            "LoadBalancerArn": lb_arn, "Protocol": "HTTP", "Port": "80",
            "DefaultActions": {"member": [{"Type": "fixed-response", "FixedResponseConfig": {
                "StatusCode": "404"}}]}}).xml.findtext(
            "CreateListenerResult/Listeners/member/ListenerArn")
        rule = {"ListenerArn": ls, "Priority": "10", "Conditions": {"member": [
            {"Field": "host-header", "HostHeaderConfig": {"Values": {"member": ["api.example.com"]}}},
            {"Field": "path-pattern", "PathPatternConfig": {"Values": {"member": ["/v1/*"]}}}]},
            "Actions": {"member": [{"Type": "forward", "ForwardConfig": {"TargetGroups": {
                "member": [{"TargetGroupArn": tg_a, "Weight": "80"},
                           {"TargetGroupArn": tg_b, "Weight": "20"}]}}}]}}
        r = self.ok("CreateRule", rule)
        arn = r.xml.findtext("CreateRuleResult/Rules/member/RuleArn")
        self.assertIn(":listener-rule/app/web/", arn)
        self.fails("PriorityInUse", "CreateRule", rule)
        self.fails("ValidationError", "CreateRule", dict(rule, Priority="2", Conditions={
            "member": [{"Field": "colour", "Values": {"member": ["x"]}}]}))
        rules = self.ok("DescribeRules", {"ListenerArn": ls}).xml.findall(
            "DescribeRulesResult/Rules/member")
        self.assertEqual([(x.findtext("Priority"), x.findtext("IsDefault")) for x in rules],
                         [("10", "false"), ("default", "true")])
        weights = [(t.findtext("TargetGroupArn"), t.findtext("Weight")) for t in rules[0].findall(
            "Actions/member/ForwardConfig/TargetGroups/member")]
        self.assertEqual(weights, [(tg_a, "80"), (tg_b, "20")])
        # the groups are used by the rule
        self.fails("ResourceInUse", "DeleteTargetGroup", {"TargetGroupArn": tg_b})
        self.ok("ModifyRule", {"RuleArn": arn, "Actions": {"member": [{
            "Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                   "StatusCode": "HTTP_301"}}]}})
        self.ok("DeleteTargetGroup", {"TargetGroupArn": tg_b})
        self.ok("SetRulePriorities", {"RulePriorities": {"member": [
            {"RuleArn": arn, "Priority": "5"}]}})
        got = self.ok("DescribeRules", {"RuleArns": {"member": [arn]}}).xml.find(
            "DescribeRulesResult/Rules/member")
        self.assertEqual((got.findtext("Priority"), got.findtext("Actions/member/Type")),
                         ("5", "redirect"))
        self.ok("AddTags", {"ResourceArns": {"member": [arn]},
                            "Tags": {"member": [{"Key": "team", "Value": "web"}]}})
        self.ok("DeleteRule", {"RuleArn": arn})
        self.fails("RuleNotFound", "DeleteRule", {"RuleArn": arn})

    def test_target_group_belongs_to_one_load_balancer(self):
        a = self.lb("web").findtext("LoadBalancerArn")
        b = self.lb("api").findtext("LoadBalancerArn")
        tg_arn = self.tg().findtext("TargetGroupArn")
        self.forward(a, tg_arn)
        self.fails("TargetGroupAssociationLimit", "CreateListener", {
            "LoadBalancerArn": b, "Protocol": "HTTP", "Port": "80",
            "DefaultActions": {"member": [{"Type": "forward", "TargetGroupArn": tg_arn}]}})

    def test_deleting_load_balancer_deletes_listeners(self):
        lb_arn = self.lb().findtext("LoadBalancerArn")
        tg_arn = self.tg().findtext("TargetGroupArn")
        self.forward(lb_arn, tg_arn)
        self.ok("DeleteLoadBalancer", {"LoadBalancerArn": lb_arn})
        inv = self.emu.admin("GET", "inventory")[1]["elasticloadbalancing"]
        self.assertEqual((inv["load_balancer"], inv["listener"]), ([], []))
        self.ok("DeleteTargetGroup", {"TargetGroupArn": tg_arn})

    def test_tags(self):
        lb_arn = self.lb(Tags={"member": [{"Key": "a", "Value": "1"}]}).findtext("LoadBalancerArn")
        tg_arn = self.tg().findtext("TargetGroupArn")
        self.ok("AddTags", {"ResourceArns": {"member": [lb_arn, tg_arn]},
                            "Tags": {"member": [{"Key": "b", "Value": "2"}]}})
        self.ok("RemoveTags", {"ResourceArns": {"member": [lb_arn]}, "TagKeys": {"member": ["a"]}})
        r = self.ok("DescribeTags", {"ResourceArns": {"member": [lb_arn, tg_arn]}})
        got = {d.findtext("ResourceArn"): {t.findtext("Key"): t.findtext("Value")
                                           for t in d.findall("Tags/member")}
               for d in r.items("DescribeTagsResult/TagDescriptions/member")}
        self.assertEqual(got, {lb_arn: {"b": "2"}, tg_arn: {"b": "2"}})
        self.fails("DuplicateTagKeys", "AddTags", {
            "ResourceArns": {"member": [lb_arn]},
            "Tags": {"member": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}})
        self.fails("TooManyTags", "AddTags", {
            "ResourceArns": {"member": [lb_arn]},
            "Tags": {"member": [{"Key": "k%d" % i, "Value": "v"} for i in range(50)]}})
        self.ok("DeleteTargetGroup", {"TargetGroupArn": tg_arn})
        self.fails("TargetGroupNotFound", "DescribeTags", {"ResourceArns": {"member": [tg_arn]}})

    def test_attributes(self):
        lb_arn = self.lb().findtext("LoadBalancerArn")
        r = self.ok("DescribeLoadBalancerAttributes", {"LoadBalancerArn": lb_arn})

        def attrs(resp, result):
            return {m.findtext("Key"): m.findtext("Value")
                    for m in resp.items(result + "/Attributes/member")}
        a = attrs(r, "DescribeLoadBalancerAttributesResult")
        self.assertEqual((a["idle_timeout.timeout_seconds"], a["deletion_protection.enabled"],
                          a["routing.http2.enabled"]), ("60", "false", "true"))
        r = self.ok("ModifyLoadBalancerAttributes", {"LoadBalancerArn": lb_arn, "Attributes": {
            "member": [{"Key": "deletion_protection.enabled", "Value": "true"},
                       {"Key": "idle_timeout.timeout_seconds", "Value": "120"}]}})
        a = attrs(r, "ModifyLoadBalancerAttributesResult")
        self.assertEqual((a["idle_timeout.timeout_seconds"], a["deletion_protection.enabled"]),
                         ("120", "true"))
        self.fails("ValidationError", "ModifyLoadBalancerAttributes", {
            "LoadBalancerArn": lb_arn, "Attributes": {"member": [{"Key": "nope", "Value": "1"}]}})
        self.fails("ValidationError", "ModifyLoadBalancerAttributes", {
            "LoadBalancerArn": lb_arn, "Attributes": {"member": [
                {"Key": "idle_timeout.timeout_seconds", "Value": "5000"}]}})
        self.fails("OperationNotPermitted", "DeleteLoadBalancer", {"LoadBalancerArn": lb_arn})
        tg_arn = self.tg().findtext("TargetGroupArn")
        r = self.ok("ModifyTargetGroupAttributes", {"TargetGroupArn": tg_arn, "Attributes": {
            "member": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
                       {"Key": "stickiness.enabled", "Value": "true"}]}})
        r = self.ok("DescribeTargetGroupAttributes", {"TargetGroupArn": tg_arn})
        a = attrs(r, "DescribeTargetGroupAttributesResult")
        self.assertEqual((a["deregistration_delay.timeout_seconds"], a["stickiness.enabled"],
                          a["stickiness.type"]), ("30", "true", "lb_cookie"))
        self.fails("ValidationError", "ModifyTargetGroupAttributes", {
            "TargetGroupArn": tg_arn, "Attributes": {"member": [
                {"Key": "stickiness.enabled", "Value": "yes"}]}})

    def test_set_subnets_and_security_groups_and_ec2_dependencies(self):
        lb_arn = self.lb().findtext("LoadBalancerArn")
        other = self.ec2("CreateSecurityGroup", {"GroupName": "alb2", "GroupDescription": "x",
                                                 "VpcId": self.vpc}).xml.findtext("groupId")
        r = self.ok("SetSecurityGroups", {"LoadBalancerArn": lb_arn,
                                          "SecurityGroups": {"member": [other]}})
        self.assertEqual([e.text for e in r.items("SetSecurityGroupsResult/SecurityGroupIds/"
                                                  "member")], [other])
        r = self.ok("SetSubnets", {"LoadBalancerArn": lb_arn,
                                   "Subnets": {"member": self.subnets[1:]}})
        self.assertEqual(sorted(e.text for e in r.items(
            "SetSubnetsResult/AvailabilityZones/member/SubnetId")), sorted(self.subnets[1:]))
        self.fails("SubnetNotFound", "SetSubnets", {
            "LoadBalancerArn": lb_arn,
            "Subnets": {"member": [self.subnets[0], "subnet-0123456789abcdef0"]}})
        # EC2 refuses to delete what the load balancer uses, and frees what it no longer uses
        r = self.c.call_query("ec2", "DeleteSubnet", {"SubnetId": self.subnets[2]})
        self.assertEqual(r.error_code, "DependencyViolation")
        r = self.c.call_query("ec2", "DeleteSecurityGroup", {"GroupId": other})
        self.assertEqual(r.error_code, "DependencyViolation")
        self.ec2("DeleteSubnet", {"SubnetId": self.subnets[0]})
        self.ec2("DeleteSecurityGroup", {"GroupId": self.sg})
        self.fails("LoadBalancerNotFound", "SetSubnets", {
            "LoadBalancerArn": lb_arn[:-1] + ("0" if lb_arn[-1] != "0" else "1"),
            "Subnets": {"member": self.subnets[1:]}})

    def test_ip_address_type_needs_ipv6_subnets_for_dualstack(self):
        lb_arn = self.lb().findtext("LoadBalancerArn")
        r = self.fails("ValidationError", "SetIpAddressType",
                       {"LoadBalancerArn": lb_arn, "IpAddressType": "dualstack"})
        self.assertIn("IPv6 CIDR block", r.xml.findtext("Error/Message"))
        self.fails("ValidationError", "SetIpAddressType",
                   {"LoadBalancerArn": lb_arn, "IpAddressType": "ipv5"})
        self.fails("ValidationError", "CreateLoadBalancer", {
            "Name": "dual", "Subnets": {"member": self.subnets[:2]},
            "SecurityGroups": {"member": [self.sg]}, "IpAddressType": "dualstack"})
        block = self.ec2("AssociateVpcCidrBlock", {
            "VpcId": self.vpc, "AmazonProvidedIpv6CidrBlock": "true"}).xml.findtext(
            "ipv6CidrBlockAssociation/ipv6CidrBlock")
        for i, s in enumerate(self.subnets[:2]):
            self.ec2("AssociateSubnetCidrBlock", {
                "SubnetId": s, "Ipv6CidrBlock": block.replace("00::/56", "%02x::/64" % i)})
        r = self.ok("SetIpAddressType", {"LoadBalancerArn": lb_arn, "IpAddressType": "dualstack"})
        self.assertEqual(r.xml.findtext("SetIpAddressTypeResult/IpAddressType"), "dualstack")
        d = self.ok("DescribeLoadBalancers", {"LoadBalancerArns": {"member": [lb_arn]}})
        self.assertEqual(d.xml.findtext("DescribeLoadBalancersResult/LoadBalancers/member/"
                                        "IpAddressType"), "dualstack")
        # the third subnet has no IPv6 block: a dualstack load balancer cannot move there
        self.fails("ValidationError", "SetSubnets", {"LoadBalancerArn": lb_arn,
                                                     "Subnets": {"member": self.subnets[1:]}})
        self.ok("SetIpAddressType", {"LoadBalancerArn": lb_arn, "IpAddressType": "ipv4"})
        self.ok("SetSubnets", {"LoadBalancerArn": lb_arn, "Subnets": {"member": self.subnets[1:]}})

    def test_marker_paging(self):
        made = [self.tg("tg%d" % i).findtext("TargetGroupArn") for i in range(5)]
        seen, pages = tc.query_pages(
            lambda p: self.ok("DescribeTargetGroups", p), {"PageSize": "2"},
            "DescribeTargetGroupsResult/TargetGroups/member/TargetGroupArn",
            "DescribeTargetGroupsResult/NextMarker", "Marker")
        self.assertEqual((pages, seen), (3, made))
        self.fails("ValidationError", "DescribeTargetGroups", {"PageSize": "401"})

    def test_ecs_service_behind_a_target_group(self):
        ecs = "AmazonEC2ContainerServiceV20141113."

        def ecs_call(action, **body):
            return self.c.call_json("ecs", ecs + action, body)
        self.assertEqual(ecs_call("CreateCluster", clusterName="main").status, 200)
        td = ecs_call("RegisterTaskDefinition", family="web", networkMode="awsvpc",
                      requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
                      containerDefinitions=[{"name": "app", "image": "nginx",
                                             "portMappings": [{"containerPort": 8080}]}]
                      ).json["taskDefinition"]["taskDefinitionArn"]
        ip_tg = self.tg("ip").findtext("TargetGroupArn")
        instance_tg = self.tg("inst", TargetType="instance").findtext("TargetGroupArn")

        def service(name, tg):
            return ecs_call("CreateService", cluster="main", serviceName=name,
                            taskDefinition=td, desiredCount=1, launchType="FARGATE",
                            networkConfiguration={"awsvpcConfiguration": {
                                "subnets": self.subnets[:2], "securityGroups": [self.sg]}},
                            loadBalancers=[{"targetGroupArn": tg, "containerName": "app",
                                            "containerPort": 8080}])
        r = service("a", ip_tg)          # no listener yet: no load balancer
        self.assertEqual(r.error_code, "InvalidParameterException")
        self.assertIn("does not have an associated load balancer", r.json["message"])
        lb_arn = self.lb().findtext("LoadBalancerArn")
        self.forward(lb_arn, ip_tg)
        self.forward(lb_arn, instance_tg, port="8080")
        r = service("b", instance_tg)    # awsvpc tasks need target type ip
        self.assertEqual(r.error_code, "InvalidParameterException")
        self.assertIn("target type instance", r.json["message"])
        r = service("c", ip_tg[:-1] + ("0" if ip_tg[-1] != "0" else "1"))
        self.assertEqual(r.error_code, "InvalidParameterException")
        r = service("d", ip_tg)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["service"]["loadBalancers"][0]["targetGroupArn"], ip_tg)

    def test_wrong_api_version(self):
        r = self.c.call_query("elasticloadbalancing", "DescribeLoadBalancers", version="2012-06-01")
        self.assertEqual((r.status, r.error_code), (400, "NoSuchVersion"))


if __name__ == "__main__":
    unittest.main()
