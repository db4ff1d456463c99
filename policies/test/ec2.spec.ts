import assert from "node:assert/strict";
import { addBeside, find, remove, set, violations } from "./gate";

const ingressRule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

describe("ec2", () => {
  describe("ec2-security-group-public-ingress", () => {
    const policy = "ec2-security-group-public-ingress";

    it("1: reports PostgreSQL opened to 0.0.0.0/0 by a rule resource", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const rule = find(resources, ingressRule, "db-from-proxy");
        set(rule, "referencedSecurityGroupId", undefined);
        set(rule, "cidrIpv4", "0.0.0.0/0");
      });
      assert.deepEqual(found, [
        "ingress from 0.0.0.0/0 to tcp/5432-5432: open only 80/443 to the internet; reach " +
          "anything else through the load balancer or SSM Session Manager.",
      ]);
    });

    it("2: reports an inline all-traffic ingress block open to ::/0", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const group = find(resources, "aws:ec2/securityGroup:SecurityGroup", "-service");
        set(group, "ingress", [
          { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] },
        ]);
      });
      assert.ok(
        found.some((m) => m.startsWith("ingress from ::/0 to -1/0-0")),
        found.join("\n"),
      );
    });

    it("3: reports SSH opened by an aws.ec2.SecurityGroupRule", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const sibling = find(resources, ingressRule, "alb-from-cloudfront");
        addBeside(resources, sibling, "aws:ec2/securityGroupRule:SecurityGroupRule", "ssh", {
          type: "ingress",
          protocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidrBlocks: ["0.0.0.0/0"],
          securityGroupId: "sg-0123456789abcdef0",
        });
      });
      assert.ok(
        found.some((m) => m.startsWith("ingress from 0.0.0.0/0 to tcp/22-22")),
        found.join("\n"),
      );
    });

    it("4: reports a port range that merely includes 80 and 443", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const rule = find(resources, ingressRule, "alb-from-cloudfront");
        set(rule, "prefixListId", undefined);
        set(rule, "cidrIpv4", "0.0.0.0/0");
        set(rule, "fromPort", 80);
        set(rule, "toPort", 443);
      });
      assert.ok(
        found.some((m) => m.startsWith("ingress from 0.0.0.0/0 to tcp/80-443")),
        found.join("\n"),
      );
    });

    it("5: reports SSH opened to the internet in two halves, 0.0.0.0/1 and 128.0.0.0/1", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const rule = find(resources, ingressRule, "db-from-proxy");
        set(rule, "referencedSecurityGroupId", undefined);
        set(rule, "fromPort", 22);
        set(rule, "toPort", 22);
        set(rule, "cidrIpv4", "0.0.0.0/1");
        const sibling = find(resources, ingressRule, "alb-from-cloudfront");
        addBeside(resources, sibling, ingressRule, "ssh-upper-half", {
          ipProtocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidrIpv4: "128.0.0.0/1",
          securityGroupId: "sg-0123456789abcdef0",
        });
      });
      assert.deepEqual(found.sort(), [
        "ingress from 0.0.0.0/1 (a public /1, the internet) to tcp/22-22: open only 80/443 to " +
          "the internet; reach anything else through the load balancer or SSM Session Manager.",
        "ingress from 128.0.0.0/1 (a public /1, the internet) to tcp/22-22: open only 80/443 " +
          "to the internet; reach anything else through the load balancer or SSM Session Manager.",
      ]);
    });

    it("6: reports RDP from a public /8 and every port from a wide public IPv6 range", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const group = find(resources, "aws:ec2/securityGroup:SecurityGroup", "-service");
        set(group, "ingress", [
          { protocol: "tcp", fromPort: 3389, toPort: 3389, cidrBlocks: ["1.0.0.0/8"] },
          { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["2000::/3"] },
        ]);
      });
      assert.deepEqual(found, [
        "ingress from 1.0.0.0/8 (a public /8, the internet) to tcp/3389-3389: open only 80/443 " +
          "to the internet; reach anything else through the load balancer or SSM Session Manager.",
        "ingress from 2000::/3 (a public /3, the internet) to -1/0-0: open only 80/443 to the " +
          "internet; reach anything else through the load balancer or SSM Session Manager.",
      ]);
    });

    it("passes wide private ranges (RFC 1918, unique-local) and narrow public ones", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const group = find(resources, "aws:ec2/securityGroup:SecurityGroup", "-service");
        set(group, "ingress", [
          {
            protocol: "tcp",
            fromPort: 22,
            toPort: 22,
            cidrBlocks: ["10.0.0.0/8", "172.16.0.0/12"],
          },
          { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["203.0.113.0/24"] },
          { protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["fd00::/8", "2001:db8::/32"] },
          { protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["2a05:d018::/36"] },
        ]);
      });
      assert.deepEqual(found, []);
    });

    it("passes the program's groups: the load balancer admits CloudFront only, nothing is open to anywhere", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });

    it("passes egress to anywhere (only ingress is checked)", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const sibling = find(resources, ingressRule, "alb-from-cloudfront");
        addBeside(resources, sibling, "aws:ec2/securityGroupRule:SecurityGroupRule", "out", {
          type: "egress",
          protocol: "-1",
          fromPort: 0,
          toPort: 0,
          cidrBlocks: ["0.0.0.0/0"],
          securityGroupId: "sg-0123456789abcdef0",
        });
      });
      assert.deepEqual(found, []);
    });
  });

  describe("ec2-vpc-flow-logs", () => {
    const policy = "ec2-vpc-flow-logs";

    it("1: reports a VPC without a flow log", async () => {
      const found = await violations(policy, "prod", (resources) =>
        remove(resources, find(resources, "aws:ec2/flowLog:FlowLog")),
      );
      assert.deepEqual(found, [
        "VPC prod-vpc has no flow log of ALL traffic: add an aws.ec2.FlowLog with trafficType ALL to CloudWatch Logs or S3.",
      ]);
    });

    it("2: reports a flow log of rejected traffic only", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, "aws:ec2/flowLog:FlowLog"), "trafficType", "REJECT"),
      );
      assert.equal(found.length, 1);
    });

    it("passes the program's VPC and flow log", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
    });

    it("passes on the dependency alone when the VPC's id is not known yet (a first preview)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        set(find(resources, "aws:ec2/vpc:Vpc"), "id", undefined);
        set(find(resources, "aws:ec2/flowLog:FlowLog"), "vpcId", undefined);
      });
      assert.deepEqual(found, []);
    });
  });

  describe("ec2-security-group-unrestricted-egress", () => {
    const policy = "ec2-security-group-unrestricted-egress";
    const egressRule = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

    it("1: reports the service sending every protocol to the internet", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const rule = find(resources, egressRule, "-service-to-endpoints");
        set(rule, "ipProtocol", "-1");
        set(rule, "referencedSecurityGroupId", undefined);
        set(rule, "cidrIpv4", "0.0.0.0/0");
      });
      assert.deepEqual(found, [
        "egress to 0.0.0.0/0 on every protocol and port: allow the ports and peers the " +
          "group's members need (a security group, a prefix list, HTTPS on 443) instead.",
      ]);
    });

    it("2: reports every TCP port to ::/0 (a wrong range, not a missing rule)", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const rule = find(resources, egressRule, "-nat-to-internet-443");
        set(rule, "cidrIpv4", undefined);
        set(rule, "cidrIpv6", "::/0");
        set(rule, "fromPort", 0);
        set(rule, "toPort", 65535);
      });
      assert.equal(found.length, 1);
      assert.match(found[0], /^egress to ::\/0 on every tcp port: /);
    });

    it("3: reports an inline all-traffic egress of a security group", async () => {
      const found = await violations(policy, "dev", (resources) => {
        const group = find(resources, "aws:ec2/securityGroup:SecurityGroup", "-proxy");
        set(group, "egress", [
          { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
        ]);
      });
      assert.equal(found.length, 1);
      assert.match(found[0], /^egress to 0\.0\.0\.0\/0 on every protocol and port/);
    });

    it("4: reports every protocol to a public /6 (the internet, not a private range)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const rule = find(resources, egressRule, "-service-to-endpoints");
        set(rule, "ipProtocol", "-1");
        set(rule, "referencedSecurityGroupId", undefined);
        set(rule, "cidrIpv4", "52.0.0.0/6");
      });
      assert.deepEqual(found, [
        "egress to 52.0.0.0/6 (a public /6, the internet) on every protocol and port: allow the " +
          "ports and peers the group's members need (a security group, a prefix list, HTTPS on " +
          "443) instead.",
      ]);
    });

    it("passes HTTPS to the internet (serviceInternetEgress, the NAT instance) and the shipped stacks", async () => {
      for (const stack of ["dev", "staging", "prod"] as const) {
        assert.deepEqual(await violations(policy, stack), [], stack);
      }
    });
  });
});
