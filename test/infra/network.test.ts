import assert from "node:assert/strict";
import { cloudFrontPrefixListName, natInstanceAmiParameter, subnetCidr } from "../../infra/network";
import { AwsMocks } from "../../scripts/offline/mocks";
import { ofType, type ProgramRun, type RegisteredResource } from "../../scripts/offline/harness";
import { byId, one, regionOfStack, stackRun } from "./stacks";

const tierOf = (subnet: RegisteredResource) => (subnet.inputs.tags as Record<string, string>).tier;
const subnets = (run: ProgramRun, tier: string) =>
  ofType(run, "aws:ec2/subnet:Subnet").filter((s) => tierOf(s) === tier);

function ipRange(cidr: string): [number, number] {
  const [address, prefix] = cidr.split("/");
  const start = address.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  return [start, start + 2 ** (32 - Number(prefix)) - 1];
}

describe("network", () => {
  const expected = {
    // Staging's egress is a NAT instance (see "NAT instance" below), not a gateway.
    staging: { azs: 2, nats: 0, cidr: "10.10.0.0/16", flowLogDays: 30 },
    prod: { azs: 3, nats: 3, cidr: "10.20.0.0/16", flowLogDays: 365 },
  };

  for (const [stack, want] of Object.entries(expected) as [
    "staging" | "prod",
    (typeof expected)["prod"],
  ][]) {
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });

      it(`spans ${want.azs} AZs with a public, a private and an isolated subnet in each`, () => {
        for (const tier of ["public", "private", "isolated"]) {
          const azs = subnets(run, tier).map((s) => s.inputs.availabilityZone);
          assert.equal(new Set(azs).size, want.azs, `${tier} subnets over ${azs}`);
          assert.equal(azs.length, want.azs);
        }
        assert.equal((run.stackOutputs.availabilityZones as string[]).length, want.azs);
      });

      it("carves non-overlapping subnets out of the configured VPC range", () => {
        const [vpc] = ofType(run, "aws:ec2/vpc:Vpc");
        assert.equal(vpc.inputs.cidrBlock, want.cidr);
        const [vpcStart, vpcEnd] = ipRange(want.cidr);
        const ranges = ofType(run, "aws:ec2/subnet:Subnet").map((s) =>
          ipRange(s.inputs.cidrBlock as string),
        );
        for (const [start, end] of ranges) assert.ok(start >= vpcStart && end <= vpcEnd);
        ranges.sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i][0] > ranges[i - 1][1]);
      });

      if (want.nats > 0) {
        it(`has ${want.nats} NAT gateways, in public subnets, one per AZ routing that AZ's private subnet, and no NAT instance`, () => {
          const nats = ofType(run, "aws:ec2/natGateway:NatGateway");
          assert.equal(nats.length, want.nats);
          for (const nat of nats) assert.equal(tierOf(byId(run, nat.inputs.subnetId)), "public");
          assert.deepEqual(ofType(run, "aws:ec2/instance:Instance"), []);

          const usedNats = new Set<unknown>();
          for (const subnet of subnets(run, "private")) {
            const defaultRoute = defaultRouteOf(run, subnet);
            assert.ok(defaultRoute?.natGatewayId, `${subnet.name} has no NAT route`);
            assert.equal(defaultRoute.gatewayId, undefined);
            usedNats.add(defaultRoute.natGatewayId);
            // One NAT per AZ: a subnet's egress must not depend on another AZ.
            const nat = nats.find((n) => n.id === defaultRoute.natGatewayId)!;
            const natSubnet = byId(run, nat.inputs.subnetId);
            assert.equal(natSubnet.inputs.availabilityZone, subnet.inputs.availabilityZone);
          }
          assert.equal(usedNats.size, want.nats);
        });
      }

      it("routes public subnets to the internet gateway and gives isolated subnets no way out", () => {
        const [igw] = ofType(run, "aws:ec2/internetGateway:InternetGateway");
        for (const subnet of subnets(run, "public")) {
          assert.deepEqual(routes(routeTableOf(run, subnet)), [
            { cidrBlock: "0.0.0.0/0", gatewayId: igw.id },
          ]);
          assert.equal(subnet.inputs.mapPublicIpOnLaunch, false);
        }
        for (const subnet of subnets(run, "isolated")) {
          assert.deepEqual(routes(routeTableOf(run, subnet)), []);
        }
      });

      it("reaches S3 through a gateway endpoint on the private and isolated route tables", () => {
        const gateways = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").filter(
          (e) => e.inputs.vpcEndpointType === "Gateway",
        );
        assert.equal(gateways.length, 1);
        const [endpoint] = gateways;
        assert.equal(endpoint.inputs.serviceName, `com.amazonaws.${run.config["aws:region"]}.s3`);
        const expectedTables = [...subnets(run, "private"), ...subnets(run, "isolated")].map(
          (s) => routeTableOf(run, s).id,
        );
        assert.deepEqual(
          [...(endpoint.inputs.routeTableIds as string[])].sort(),
          [...new Set(expectedTables)].sort(),
        );
      });

      it(`sends all VPC flow logs to CloudWatch, kept ${want.flowLogDays} days`, () => {
        const [flowLog] = ofType(run, "aws:ec2/flowLog:FlowLog");
        const [vpc] = ofType(run, "aws:ec2/vpc:Vpc");
        const group = ofType(run, "aws:cloudwatch/logGroup:LogGroup").find((g) =>
          String(g.inputs.name).startsWith("/aws/vpc/flow-logs/"),
        )!;
        assert.equal(flowLog.inputs.vpcId, vpc.id);
        assert.equal(flowLog.inputs.trafficType, "ALL");
        assert.equal(flowLog.inputs.logDestination, group.outputs.arn);
        assert.equal(group.inputs.retentionInDays, want.flowLogDays);
        const role = ofType(run, "aws:iam/role:Role").find(
          (r) => r.outputs.arn === flowLog.inputs.iamRoleArn,
        );
        const trust = JSON.parse(role!.inputs.assumeRolePolicy as string);
        assert.equal(trust.Statement[0].Principal.Service, "vpc-flow-logs.amazonaws.com");
        assert.ok(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"]);
        // The actions the VPC user guide lists for a flow log's role: without DescribeLogGroups
        // the flow log is created but reports "access error" and delivers nothing.
        const policy = ofType(run, "aws:iam/rolePolicy:RolePolicy").find(
          (p) => p.inputs.role === role!.id,
        );
        const granted = JSON.parse(policy!.inputs.policy as string).Statement.flatMap(
          (st: { Action: string | string[] }) => [st.Action].flat(),
        );
        assert.deepEqual(granted.sort(), [
          "logs:CreateLogGroup",
          "logs:CreateLogStream",
          "logs:DescribeLogGroups",
          "logs:DescribeLogStreams",
          "logs:PutLogEvents",
        ]);
      });

      it("allows exactly CloudFront -> load balancer -> service -> proxy -> database, the role bootstrap -> database (and the VPC out through a NAT instance), and nothing wider", () => {
        const groups = new Map(
          ofType(run, "aws:ec2/securityGroup:SecurityGroup").map((g) => [
            g.id,
            g.name.replace(`${stack}-`, ""),
          ]),
        );
        const describe = (rule: RegisteredResource, direction: string) => {
          const i = rule.inputs;
          const peer = i.referencedSecurityGroupId
            ? groups.get(i.referencedSecurityGroupId as string)
            : i.prefixListId
              ? prefixList(run, i.prefixListId as string)?.name
              : i.cidrIpv4;
          const ports = i.ipProtocol === "-1" ? "all" : `${i.ipProtocol}/${i.fromPort}-${i.toPort}`;
          return `${groups.get(i.securityGroupId as string)} ${direction} ${ports} ${peer}`;
        };
        const rules = [
          ...ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) =>
            describe(r, "in"),
          ),
          ...ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) =>
            describe(r, "out"),
          ),
        ].sort();
        assert.deepEqual(
          rules,
          [
            // Both have their custom domain, so CloudFront reaches origin.<domain> on 443 only (not
            // a range from 80); dev, without one, gets HTTP on 80 only (load-balancer.test.ts).
            `alb in tcp/443-443 ${cloudFrontPrefixListName}`,
            "alb out tcp/8080-8080 service",
            "database in tcp/5432-5432 proxy",
            // The one-off task that signs in as the master: it admits nothing.
            "database in tcp/5432-5432 db-bootstrap",
            "db-bootstrap out tcp/443-443 0.0.0.0/0",
            "db-bootstrap out tcp/5432-5432 database",
            "proxy in tcp/5432-5432 service",
            "proxy out tcp/5432-5432 database",
            "service in tcp/8080-8080 alb",
            // No internet: ECR and CloudWatch Logs through their endpoints, image layers
            // through the S3 gateway endpoint (the region's S3 prefix list).
            "service out tcp/443-443 endpoints",
            `service out tcp/443-443 com.amazonaws.${regionOfStack(stack)}.s3`,
            "service out tcp/5432-5432 proxy",
            "endpoints in tcp/443-443 service",
            // The NAT instance forwards what the VPC sends over HTTP(S); nothing from outside
            // may reach it.
            ...(want.nats === 0
              ? [
                  `nat in all ${want.cidr}`,
                  "nat out tcp/443-443 0.0.0.0/0",
                  "nat out tcp/80-80 0.0.0.0/0",
                ]
              : []),
          ].sort(),
        );
        for (const group of ofType(run, "aws:ec2/securityGroup:SecurityGroup")) {
          // Inline rules would bypass the list above.
          assert.equal(group.inputs.ingress, undefined);
          assert.equal(group.inputs.egress, undefined);
        }
      });

      it("references CloudFront's prefix list from one rule only: each reference weighs its 55 entries against the 60-rule quota", () => {
        const albGroup = ofType(run, "aws:ec2/securityGroup:SecurityGroup").find(
          (g) => g.name === `${stack}-alb`,
        )!;
        const rules = [
          ...ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
          ...ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
        ].filter((r) => r.inputs.securityGroupId === albGroup.id);
        const fromCloudFront = rules.filter((r) => r.inputs.prefixListId);
        assert.equal(fromCloudFront.length, 1);
        // A prefix-list reference counts as the list's maximum size; the quota is 60 per group.
        // https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
        const weight = rules.reduce(
          (sum, r) =>
            sum +
            (r.inputs.prefixListId
              ? prefixList(run, r.inputs.prefixListId as string)!.maxEntries
              : 1),
          0,
        );
        assert.ok(weight <= 60, `the load balancer's rules weigh ${weight}`);
      });

      it("empties the VPC's default security group", () => {
        const [defaultGroup] = ofType(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        assert.deepEqual(defaultGroup.inputs.ingress, []);
        assert.deepEqual(defaultGroup.inputs.egress, []);
      });
    });
  }

  describe("NAT instance", () => {
    const cidrs = { dev: "10.30.0.0/16", staging: "10.10.0.0/16" };
    for (const [stack, cidr] of Object.entries(cidrs) as ["dev" | "staging", string][]) {
      describe(stack, () => {
        let run: ProgramRun;
        let instance: RegisteredResource;
        before(async () => {
          run = await stackRun(stack);
          instance = one(run, "aws:ec2/instance:Instance");
        });

        it("replaces the NAT gateways: one t4g.nano in a public subnet, with an Elastic IP", () => {
          assert.deepEqual(ofType(run, "aws:ec2/natGateway:NatGateway"), []);
          assert.equal(instance.inputs.instanceType, "t4g.nano");
          assert.equal(tierOf(byId(run, instance.inputs.subnetId)), "public");
          const ips = ofType(run, "aws:ec2/eip:Eip");
          assert.deepEqual(
            ips.map((ip) => [ip.inputs.domain, ip.inputs.instance]),
            [["vpc", instance.id]],
          );
        });

        it("forwards other hosts' packets: source/destination check off, masquerading the VPC", () => {
          assert.equal(instance.inputs.sourceDestCheck, false);
          const script = String(instance.inputs.userData);
          assert.match(script, /^#!\/bin\/bash\n/);
          // Forwarding and the NAT rule are written where the OS reads them at every boot.
          assert.match(script, /net\.ipv4\.ip_forward = 1' > \/etc\/sysctl\.d\//);
          assert.ok(
            script.includes(
              `iptables -t nat -A POSTROUTING -o "$interface" -s ${cidr} -j MASQUERADE`,
            ),
          );
          assert.match(script, /iptables -F FORWARD/);
          // Patched at first boot: a replacement keeps the recorded AMI (see Network).
          assert.match(script, /dnf upgrade -y --releasever=latest/);
          assert.match(script, /iptables-save > \/etc\/sysconfig\/iptables/);
          assert.match(script, /systemctl enable --now iptables/);
          assert.equal(instance.inputs.userDataReplaceOnChange, true);
        });

        it("boots Amazon Linux 2023 for arm64, named by AWS's public SSM parameter", () => {
          const parameter = new AwsMocks(run.config["aws:region"]).call({
            token: "aws:ssm/getParameter:getParameter",
            inputs: { name: natInstanceAmiParameter },
            provider: "",
          }) as { insecureValue: string };
          assert.equal(
            natInstanceAmiParameter,
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
          );
          assert.equal(instance.inputs.ami, parameter.insecureValue);
        });

        it("requires IMDSv2 within the instance, encrypts its root volume, bursts on standard credits", () => {
          assert.deepEqual(instance.inputs.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
          });
          const root = instance.inputs.rootBlockDevice as Record<string, unknown>;
          assert.equal(root.encrypted, true);
          assert.equal(root.volumeType, "gp3");
          assert.deepEqual(instance.inputs.creditSpecification, { cpuCredits: "standard" });
          assert.equal(instance.inputs.iamInstanceProfile, undefined, "it needs no AWS access");
        });

        it("accepts traffic from the VPC only and sends HTTP(S) anywhere", () => {
          const groupIds = instance.inputs.vpcSecurityGroupIds as string[];
          assert.equal(groupIds.length, 1);
          const rulesOf = (type: string) =>
            ofType(run, type)
              .filter((r) => r.inputs.securityGroupId === groupIds[0])
              .map((r) => [
                r.inputs.ipProtocol,
                r.inputs.cidrIpv4,
                r.inputs.referencedSecurityGroupId,
              ]);
          assert.deepEqual(rulesOf("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), [
            ["-1", cidr, undefined],
          ]);
          assert.deepEqual(rulesOf("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"), [
            ["tcp", "0.0.0.0/0", undefined],
            ["tcp", "0.0.0.0/0", undefined],
          ]);
        });

        it("is every private subnet's default route, through its primary network interface", () => {
          assert.match(String(instance.outputs.primaryNetworkInterfaceId), /^eni-/);
          for (const subnet of subnets(run, "private")) {
            assert.deepEqual(defaultRouteOf(run, subnet), {
              cidrBlock: "0.0.0.0/0",
              networkInterfaceId: instance.outputs.primaryNetworkInterfaceId,
            });
          }
        });

        it("is rebooted when its OS stops answering (host failures: simplified automatic recovery)", () => {
          assert.deepEqual(instance.inputs.maintenanceOptions, { autoRecovery: "default" });
          const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
            (a) => (a.inputs.dimensions as Record<string, unknown>)?.InstanceId === instance.id,
          );
          assert.equal(alarms.length, 1);
          const [alarm] = alarms;
          assert.equal(alarm.inputs.namespace, "AWS/EC2");
          assert.equal(alarm.inputs.metricName, "StatusCheckFailed_Instance");
          assert.deepEqual(alarm.inputs.dimensions, { InstanceId: instance.id });
          // Rebooted, and the team told (and told again once it is OK).
          const team = ofType(run, "aws:sns/topic:Topic").find(
            (t) => (t.inputs.tags as Record<string, string>)["alert-route"] === "team",
          )!;
          assert.deepEqual(alarm.inputs.alarmActions, [
            `arn:aws:automate:${run.config["aws:region"]}:ec2:reboot`,
            team.outputs.arn,
          ]);
          assert.deepEqual(alarm.inputs.okActions, [team.outputs.arn]);
        });
      });
    }
  });

  describe("subnetCidr", () => {
    it("numbers subnets of the requested size from the start of the range", () => {
      assert.equal(subnetCidr("10.10.0.0/16", 2, 0), "10.10.0.0/18");
      assert.equal(subnetCidr("10.10.0.0/16", 2, 2), "10.10.128.0/18");
      assert.equal(subnetCidr("10.10.0.0/16", 5, 24), "10.10.192.0/21");
      assert.equal(subnetCidr("172.16.16.0/20", 5, 31), "172.16.31.128/25");
    });

    it("refuses a subnet beyond the range", () => {
      assert.throws(() => subnetCidr("10.0.0.0/16", 2, 4), /does not fit in 10.0.0.0\/16/);
    });
  });
});

/** CloudFront's prefix list if it has this id, as the look-up the program makes answers it. */
/** The AWS-managed prefix list (CloudFront's or the region's S3) whose id is `id`. */
function prefixList(run: ProgramRun, id: string) {
  const region = run.config["aws:region"];
  return [cloudFrontPrefixListName, `com.amazonaws.${region}.s3`]
    .map(
      (name) =>
        new AwsMocks(region).call({
          token: "aws:ec2/getManagedPrefixList:getManagedPrefixList",
          inputs: { name },
          provider: "",
        }) as { id: string; name: string; maxEntries: number },
    )
    .find((list) => list.id === id);
}

function routeTableOf(run: ProgramRun, subnet: RegisteredResource): RegisteredResource {
  const association = ofType(run, "aws:ec2/routeTableAssociation:RouteTableAssociation").find(
    (a) => a.inputs.subnetId === subnet.id,
  );
  assert.ok(association, `${subnet.name} has no route table`);
  return byId(run, association.inputs.routeTableId);
}

function defaultRouteOf(run: ProgramRun, subnet: RegisteredResource) {
  return routes(routeTableOf(run, subnet)).find((r) => r.cidrBlock === "0.0.0.0/0");
}

function routes(table: RegisteredResource): Record<string, unknown>[] {
  return (table.inputs.routes as Record<string, unknown>[] | undefined) ?? [];
}
