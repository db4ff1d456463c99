import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ipv4ToNumber, type NatStrategy } from "./config";

export interface NetworkArgs {
  /**
   * VPC IPv4 range, /16 to /20. Each AZ gets a private subnet of a quarter of it, and a public and
   * an isolated subnet of a thirty-second. Changing it replaces the VPC and everything in it.
   */
  cidrBlock: string;
  /** Availability zones to span, 2 or 3. Default 2. */
  azCount?: number;
  /**
   * `single`: one NAT gateway shared by every private subnet (cheaper; an outage of its AZ cuts
   * the others' egress). `perAz`: one per AZ, each AZ's egress independent. Default `perAz`.
   */
  natGateways?: NatStrategy;
  /** Days the VPC flow logs are kept in CloudWatch. Default 90. */
  flowLogRetentionDays?: number;
  /** Port the service's tasks listen on; the load balancer may reach only this port. Default 8080. */
  servicePort?: number;
  /** Port the database and its proxy listen on; the service reaches only the proxy. Default 5432. */
  databasePort?: number;
  /**
   * The load balancer serves HTTPS (a custom domain has a certificate): CloudFront may reach
   * 443 as well as 80. Default false: port 80 only.
   */
  loadBalancerHttps?: boolean;
}

/**
 * CloudFront's origin-facing addresses. The list counts as its maximum size (55 entries) against
 * the quota of 60 rules per security group, so only one rule may reference it.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html#managed-prefix-list
 */
export const cloudFrontPrefixListName = "com.amazonaws.global.cloudfront.origin-facing";

export interface SecurityGroups {
  /** Internet-facing load balancer: HTTP(S) from CloudFront's origin-facing addresses only. */
  loadBalancer: aws.ec2.SecurityGroup;
  /** Service tasks: the service port from the load balancer only. */
  service: aws.ec2.SecurityGroup;
  /** RDS Proxy: the database port from the service only; out to the database only. */
  proxy: aws.ec2.SecurityGroup;
  /** Database: its port from the proxy only; no egress. */
  database: aws.ec2.SecurityGroup;
}

interface Tier {
  name: "public" | "private" | "isolated";
  /** How much smaller than the VPC each subnet is, in prefix bits. */
  extraBits: number;
  /** Index of the AZ's subnet among the VPC's subnets of that size. */
  index: (az: number) => number;
}

/**
 * Subnet plan: private subnets take the first three quarters of the VPC (tasks need the
 * addresses); the last quarter holds the public and isolated subnets, an eighth of it each.
 */
const tiers: Tier[] = [
  { name: "private", extraBits: 2, index: (az) => az },
  { name: "public", extraBits: 5, index: (az) => 24 + az },
  { name: "isolated", extraBits: 5, index: (az) => 28 + az },
];

/**
 * The VPC and the security-group graph CloudFront -> load balancer -> service -> proxy -> database.
 *
 * Public subnets hold only load balancers and NAT gateways; tasks run in private subnets that
 * reach the internet through NAT; the database sits in isolated subnets with no route out.
 * S3 is reached through a free gateway endpoint; VPC flow logs go to CloudWatch.
 *
 * Cost: each NAT gateway is about $33/month plus $0.045/GB processed, so `perAz` in three AZs
 * is about $100/month before traffic; flow logs cost CloudWatch ingestion ($0.50/GB).
 */
export class Network extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly availabilityZones: string[];
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly isolatedSubnetIds: pulumi.Output<string>[];
  readonly securityGroups: SecurityGroups;

  private readonly name: string;
  private readonly args: Required<NetworkArgs>;

  /** Use `Network.create`: the AZ lookup must finish before subnets can be declared per AZ. */
  private constructor(
    name: string,
    args: Required<NetworkArgs>,
    availabilityZones: string[],
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("acme:network:Network", name, {}, opts);
    this.name = name;
    this.args = args;
    this.availabilityZones = availabilityZones;

    this.vpc = this.createVpc();
    this.lockDownDefaultSecurityGroup();
    const subnets = this.createSubnets();
    const privateRouteTables = this.createRouting(subnets);
    this.createS3Endpoint([...privateRouteTables, subnets.isolatedRouteTable]);
    this.createFlowLogs();
    this.securityGroups = this.createSecurityGroups();

    this.publicSubnetIds = subnets.public.map((s) => s.id);
    this.privateSubnetIds = subnets.private.map((s) => s.id);
    this.isolatedSubnetIds = subnets.isolated.map((s) => s.id);

    this.registerOutputs({
      vpcId: this.vpc.id,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      isolatedSubnetIds: this.isolatedSubnetIds,
    });
  }

  static async create(
    name: string,
    args: NetworkArgs,
    opts?: pulumi.ComponentResourceOptions,
  ): Promise<Network> {
    const full: Required<NetworkArgs> = {
      azCount: 2,
      natGateways: "perAz",
      flowLogRetentionDays: 90,
      servicePort: 8080,
      databasePort: 5432,
      loadBalancerHttps: false,
      ...args,
    };
    const prefix = Number(full.cidrBlock.split("/")[1]);
    if (!(prefix >= 16 && prefix <= 20)) {
      throw new Error(`Network ${name}: cidrBlock must be /16 to /20, got ${full.cidrBlock}`);
    }
    if (!Number.isInteger(full.azCount) || full.azCount < 2 || full.azCount > 3) {
      throw new Error(`Network ${name}: azCount must be 2 or 3, got ${full.azCount}`);
    }
    if (full.servicePort === full.databasePort) {
      throw new Error(`Network ${name}: servicePort and databasePort must differ`);
    }

    const zones = await aws.getAvailabilityZones(
      { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
      { provider: opts?.provider, parent: opts?.parent },
    );
    if (zones.names.length < full.azCount) {
      throw new Error(
        `Network ${name}: azCount is ${full.azCount} but the region offers only ` +
          `${zones.names.length} availability zones (${zones.names.join(", ")})`,
      );
    }
    return new Network(name, full, zones.names.slice(0, full.azCount), opts);
  }

  private createVpc(): aws.ec2.Vpc {
    return new aws.ec2.Vpc(
      `${this.name}-vpc`,
      {
        cidrBlock: this.args.cidrBlock,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { Name: `${this.name}-vpc` },
      },
      { parent: this },
    );
  }

  /** Resources that forget a security group land in the default one: make it allow nothing. */
  private lockDownDefaultSecurityGroup(): void {
    new aws.ec2.DefaultSecurityGroup(
      `${this.name}-default-sg`,
      { vpcId: this.vpc.id, ingress: [], egress: [], tags: { Name: `${this.name}-default-deny` } },
      { parent: this },
    );
  }

  private createSubnets() {
    const subnetsOf = (tier: Tier) =>
      this.availabilityZones.map(
        (az, i) =>
          new aws.ec2.Subnet(
            `${this.name}-${tier.name}-${i + 1}`,
            {
              vpcId: this.vpc.id,
              availabilityZone: az,
              cidrBlock: subnetCidr(this.args.cidrBlock, tier.extraBits, tier.index(i)),
              mapPublicIpOnLaunch: false,
              tags: { Name: `${this.name}-${tier.name}-${az}`, tier: tier.name },
            },
            { parent: this },
          ),
      );
    const [privateTier, publicTier, isolatedTier] = tiers;
    const isolated = subnetsOf(isolatedTier);
    const isolatedRouteTable = new aws.ec2.RouteTable(
      `${this.name}-isolated`,
      { vpcId: this.vpc.id, tags: { Name: `${this.name}-isolated` } },
      { parent: this },
    );
    isolated.forEach((subnet, i) =>
      this.associate(`isolated-${i + 1}`, subnet, isolatedRouteTable),
    );
    return {
      public: subnetsOf(publicTier),
      private: subnetsOf(privateTier),
      isolated,
      isolatedRouteTable,
    };
  }

  /** Returns the private route tables, one per AZ. */
  private createRouting(subnets: {
    public: aws.ec2.Subnet[];
    private: aws.ec2.Subnet[];
  }): aws.ec2.RouteTable[] {
    const gateway = new aws.ec2.InternetGateway(
      `${this.name}-igw`,
      { vpcId: this.vpc.id, tags: { Name: `${this.name}-igw` } },
      { parent: this },
    );
    const publicRouteTable = new aws.ec2.RouteTable(
      `${this.name}-public`,
      {
        vpcId: this.vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }],
        tags: { Name: `${this.name}-public` },
      },
      { parent: this },
    );
    subnets.public.forEach((subnet, i) =>
      this.associate(`public-${i + 1}`, subnet, publicRouteTable),
    );

    const natCount = this.args.natGateways === "single" ? 1 : this.availabilityZones.length;
    const natGateways = subnets.public.slice(0, natCount).map((subnet, i) => {
      const ip = new aws.ec2.Eip(
        `${this.name}-nat-${i + 1}`,
        { domain: "vpc", tags: { Name: `${this.name}-nat-${i + 1}` } },
        { parent: this },
      );
      return new aws.ec2.NatGateway(
        `${this.name}-nat-${i + 1}`,
        {
          allocationId: ip.id,
          subnetId: subnet.id,
          connectivityType: "public",
          tags: { Name: `${this.name}-nat-${i + 1}` },
        },
        { parent: this, dependsOn: [gateway] },
      );
    });

    return subnets.private.map((subnet, i) => {
      const table = new aws.ec2.RouteTable(
        `${this.name}-private-${i + 1}`,
        {
          vpcId: this.vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[i % natCount].id }],
          tags: { Name: `${this.name}-private-${this.availabilityZones[i]}` },
        },
        { parent: this },
      );
      this.associate(`private-${i + 1}`, subnet, table);
      return table;
    });
  }

  private associate(name: string, subnet: aws.ec2.Subnet, table: aws.ec2.RouteTable): void {
    new aws.ec2.RouteTableAssociation(
      `${this.name}-${name}`,
      { subnetId: subnet.id, routeTableId: table.id },
      { parent: this },
    );
  }

  /** S3 traffic (image layers, static assets, backups) stays off the NAT gateways' meter. */
  private createS3Endpoint(routeTables: aws.ec2.RouteTable[]): void {
    const region = aws.getRegionOutput({}, { parent: this });
    new aws.ec2.VpcEndpoint(
      `${this.name}-s3`,
      {
        vpcId: this.vpc.id,
        serviceName: pulumi.interpolate`com.amazonaws.${region.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: routeTables.map((t) => t.id),
        tags: { Name: `${this.name}-s3` },
      },
      { parent: this },
    );
  }

  private createFlowLogs(): void {
    const logGroup = new aws.cloudwatch.LogGroup(
      `${this.name}-flow-logs`,
      {
        name: pulumi.interpolate`/aws/vpc/flow-logs/${this.vpc.id}`,
        retentionInDays: this.args.flowLogRetentionDays,
      },
      { parent: this },
    );
    const account = aws.getCallerIdentityOutput({}, { parent: this });
    const role = new aws.iam.Role(
      `${this.name}-flow-logs`,
      {
        description: "Lets VPC Flow Logs write to its CloudWatch log group",
        assumeRolePolicy: account.accountId.apply((accountId) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                // Confused-deputy guard: only flow logs of this account may use the role.
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
              },
            ],
          }),
        ),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${this.name}-flow-logs`,
      {
        role: role.id,
        policy: logGroup.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [arn, `${arn}:*`],
              },
            ],
          }),
        ),
      },
      { parent: this },
    );
    new aws.ec2.FlowLog(
      `${this.name}-flow-logs`,
      {
        vpcId: this.vpc.id,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
        tags: { Name: `${this.name}-flow-logs` },
      },
      { parent: this },
    );
  }

  private createSecurityGroups(): SecurityGroups {
    const group = (role: string, description: string) =>
      new aws.ec2.SecurityGroup(
        `${this.name}-${role}`,
        { vpcId: this.vpc.id, description, tags: { Name: `${this.name}-${role}` } },
        { parent: this },
      );
    const loadBalancer = group("alb", "Load balancer: HTTP(S) from CloudFront only");
    const service = group("service", "Service tasks: traffic from the load balancer only");
    const proxy = group("proxy", "RDS Proxy: PostgreSQL from the service only");
    const database = group("database", "Database: PostgreSQL from the proxy only");
    const { servicePort, databasePort } = this.args;

    const internet = { cidrIpv4: "0.0.0.0/0" };
    const cloudFront = aws.ec2.getManagedPrefixListOutput(
      { name: cloudFrontPrefixListName },
      { parent: this },
    );
    // One rule for both ports (see cloudFrontPrefixListName): the ALB listens on nothing between.
    this.rule(
      "ingress",
      "alb-from-cloudfront",
      loadBalancer,
      [80, this.args.loadBalancerHttps ? 443 : 80],
      { prefixListId: cloudFront.id },
      "CloudFront origin-facing only",
    );
    this.rule(
      "egress",
      "alb-to-service",
      loadBalancer,
      servicePort,
      { group: service },
      "to tasks",
    );
    this.rule("ingress", "service-from-alb", service, servicePort, { group: loadBalancer }, "ALB");
    this.rule("egress", "service-to-proxy", service, databasePort, { group: proxy }, "proxy");
    // Tasks pull images and secrets and ship logs over HTTPS to AWS APIs through the NAT.
    this.rule("egress", "service-https", service, 443, internet, "AWS APIs over HTTPS");
    this.rule("ingress", "proxy-from-service", proxy, databasePort, { group: service }, "tasks");
    // The database is reached only through the proxy, which pools connections and enforces IAM auth.
    this.rule("egress", "proxy-to-db", proxy, databasePort, { group: database }, "database");
    this.rule("ingress", "db-from-proxy", database, databasePort, { group: proxy }, "proxy");

    return { loadBalancer, service, proxy, database };
  }

  private rule(
    direction: "ingress" | "egress",
    name: string,
    target: aws.ec2.SecurityGroup,
    port: number | [number, number],
    peer:
      | { cidrIpv4: string }
      | { prefixListId: pulumi.Input<string> }
      | { group: aws.ec2.SecurityGroup },
    description: string,
  ): void {
    const [fromPort, toPort] = typeof port === "number" ? [port, port] : port;
    const Rule =
      direction === "ingress" ? aws.vpc.SecurityGroupIngressRule : aws.vpc.SecurityGroupEgressRule;
    new Rule(
      `${this.name}-${name}`,
      {
        securityGroupId: target.id,
        ipProtocol: "tcp",
        fromPort,
        toPort,
        description,
        ...("group" in peer ? { referencedSecurityGroupId: peer.group.id } : peer),
      },
      { parent: this },
    );
  }
}

/** The `index`-th subnet `extraBits` longer than `vpcCidr`. */
export function subnetCidr(vpcCidr: string, extraBits: number, index: number): string {
  const [address, prefixText] = vpcCidr.split("/");
  const prefix = Number(prefixText) + extraBits;
  if (index >= 2 ** extraBits) {
    throw new Error(`subnet ${index} does not fit in ${vpcCidr} split ${2 ** extraBits} ways`);
  }
  const start = ipv4ToNumber(address) + index * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}
