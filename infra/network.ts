import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ipv4ToNumber } from "./aws-limits";
import { serviceTrustPolicy } from "./trust";

/** How the private subnets reach the internet, cheapest first. */
export const natStrategies = ["instance", "single", "perAz"] as const;
export type NatStrategy = (typeof natStrategies)[number];

/**
 * The settings a stack file tunes (infra/config/network.ts reads them, one key each); the rest of the
 * args are wiring from other components.
 */
export interface NetworkSettings {
  /**
   * VPC IPv4 range, /16 to /20. Each AZ gets a private subnet of a quarter of it, and a public and
   * an isolated subnet of a thirty-second. Changing it replaces the VPC and everything in it.
   */
  cidrBlock: string;
  /** Availability zones to span, 2 or 3. Default 2. */
  azCount?: number;
  /**
   * How private subnets reach the internet. `instance`: one NAT instance, an EC2 t4g.nano in the
   * first public subnet (cheapest; while it is down, for minutes, the private subnets have no
   * egress). `single`: one NAT gateway shared by every private subnet (an outage of its AZ cuts
   * the others' egress). `perAz`: one per AZ, each AZ's egress independent. Default `perAz`.
   * Changing it replaces the private subnets' default routes.
   */
  natGateways?: NatStrategy;
  /** Days the VPC flow logs are kept in CloudWatch. Default 90. */
  flowLogRetentionDays?: number;
  /**
   * The service's tasks may open HTTPS connections to any internet address (through NAT), for
   * a service that calls third-party APIs. Default false: they reach only the proxy and the AWS
   * endpoints a task needs to start and log (ECR, S3 for image layers, CloudWatch Logs).
   */
  serviceInternetEgress?: boolean;
}

export interface NetworkArgs extends NetworkSettings {
  /** Port the service's tasks listen on (its contract's); the load balancer may reach only this port. */
  servicePort: number;
  /** Port the database and its proxy listen on; the service reaches only the proxy. Default 5432. */
  databasePort?: number;
  /**
   * The load balancer serves HTTPS (a custom domain has a certificate): CloudFront, whose origin
   * protocol is then https-only, may reach 443 and nothing else. Default false: port 80 only.
   */
  loadBalancerHttps?: boolean;
  /**
   * With `natGateways: instance`: the topic its hung-instance alarm tells (the team's) and the
   * alarm's description (severity, first step, runbook link). Default: the alarm only reboots.
   */
  natAlarm?: { topicArn: pulumi.Input<string>; description: string };
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
  /**
   * Service tasks: the service port from the load balancer only; out to the proxy, the AWS
   * endpoints and (with `serviceInternetEgress`) HTTPS anywhere.
   */
  service: aws.ec2.SecurityGroup;
  /** The interface endpoints: HTTPS from the service only. */
  endpoints: aws.ec2.SecurityGroup;
  /** RDS Proxy: the database port from the service only; out to the database only. */
  proxy: aws.ec2.SecurityGroup;
  /** Database: its port from the proxy, and from the role bootstrap; no egress. */
  database: aws.ec2.SecurityGroup;
  /**
   * The one-off role bootstrap task (infra/role-bootstrap.ts): admits nothing; out to the
   * database directly (it signs in as the master, which the proxy does not carry) and to AWS APIs.
   */
  bootstrap: aws.ec2.SecurityGroup;
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
 * Public subnets hold only load balancers and NAT (gateways or the NAT instance); tasks run in
 * private subnets that reach the internet through NAT; the database sits in isolated subnets
 * with no route out. S3 is reached through a free gateway endpoint; VPC flow logs go to
 * CloudWatch.
 *
 * Cost (eu-west-1 list prices): each NAT gateway is about $39/month with its public IPv4
 * ($0.048/h + $0.005/h) plus $0.048/GB processed, so `perAz` in three AZs is about $116/month
 * before traffic. The NAT instance is about $8/month (t4g.nano $0.0046/h, 8 GB gp3 root volume,
 * its public IPv4, one alarm) and charges nothing per GB processed. Flow logs cost CloudWatch
 * ingestion ($0.57/GB).
 */
export class Network extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly availabilityZones: string[];
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly isolatedSubnetIds: pulumi.Output<string>[];
  readonly securityGroups: SecurityGroups;
  /** The S3 gateway endpoint; `limitS3Endpoint` narrows it to the stack's buckets. */
  readonly s3Endpoint: aws.ec2.VpcEndpoint;

  private readonly name: string;
  private readonly args: Required<Omit<NetworkArgs, "natAlarm">> & Pick<NetworkArgs, "natAlarm">;

  /** Use `Network.create`: the AZ lookup must finish before subnets can be declared per AZ. */
  private constructor(
    name: string,
    args: Required<Omit<NetworkArgs, "natAlarm">> & Pick<NetworkArgs, "natAlarm">,
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
    this.s3Endpoint = this.createS3Endpoint([...privateRouteTables, subnets.isolatedRouteTable]);
    this.createFlowLogs();
    this.securityGroups = this.createSecurityGroups();
    this.createInterfaceEndpoints(subnets.private);

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
    const full: Required<Omit<NetworkArgs, "natAlarm">> & Pick<NetworkArgs, "natAlarm"> = {
      azCount: 2,
      natGateways: "perAz",
      flowLogRetentionDays: 90,
      databasePort: 5432,
      loadBalancerHttps: false,
      serviceInternetEgress: false,
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

    // Where each private subnet's default route leads: the NAT instance, or a NAT gateway
    // (the first for every subnet with `single`, its own AZ's with `perAz`).
    const natTargets: RouteTarget[] =
      this.args.natGateways === "instance"
        ? [this.createNatInstance(subnets.public[0], gateway)]
        : this.createNatGateways(
            subnets.public.slice(0, this.args.natGateways === "single" ? 1 : undefined),
            gateway,
          );

    return subnets.private.map((subnet, i) => {
      const table = new aws.ec2.RouteTable(
        `${this.name}-private-${i + 1}`,
        {
          vpcId: this.vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", ...natTargets[i % natTargets.length] }],
          tags: { Name: `${this.name}-private-${this.availabilityZones[i]}` },
        },
        { parent: this },
      );
      this.associate(`private-${i + 1}`, subnet, table);
      return table;
    });
  }

  /** One NAT gateway, with its Elastic IP, in each of `publicSubnets`. */
  private createNatGateways(
    publicSubnets: aws.ec2.Subnet[],
    internetGateway: aws.ec2.InternetGateway,
  ): RouteTarget[] {
    return publicSubnets.map((subnet, i) => {
      const ip = new aws.ec2.Eip(
        `${this.name}-nat-${i + 1}`,
        { domain: "vpc", tags: { Name: `${this.name}-nat-${i + 1}` } },
        { parent: this },
      );
      const nat = new aws.ec2.NatGateway(
        `${this.name}-nat-${i + 1}`,
        {
          allocationId: ip.id,
          subnetId: subnet.id,
          connectivityType: "public",
          tags: { Name: `${this.name}-nat-${i + 1}` },
        },
        { parent: this, dependsOn: [internetGateway] },
      );
      return { natGatewayId: nat.id };
    });
  }

  /**
   * The NAT-instance pattern (as fck-nat packages it): one small Graviton instance in a public
   * subnet that forwards the private subnets' packets and rewrites their source address to its
   * own (IP masquerade), in place of a NAT gateway, for about a fifth of the price.
   *
   * What it gives up, and why that is acceptable outside prod only (infra/config/ forbids it there):
   * - It is one machine in one AZ. While it is down, private subnets have no internet egress:
   *   tasks still pull images and ship logs (through the endpoints), but with
   *   `serviceInternetEgress` their calls to the internet fail until it is back. Inbound traffic (CloudFront -> load balancer -> tasks) does not pass
   *   through it and keeps working, as do the database and S3 (gateway endpoint) paths.
   * - Recovery: simplified automatic recovery (on by default for t4g, stated below) moves it to
   *   new hardware when the host fails (system status check), keeping its id, network interface,
   *   private address and Elastic IP, so the routes stay valid; a CloudWatch alarm reboots it when
   *   its own OS stops answering (instance status check), which simplified recovery does not
   *   cover. An Auto Scaling group of one would also replace a terminated instance, but the new
   *   instance gets a new network interface: the routes would need the instance to re-attach a
   *   fixed interface at boot, with an IAM role to do so (fck-nat's approach) -- more moving
   *   parts than a staging NAT is worth.
   * - Throughput: t4g.nano bursts to 5 Gbit/s but its baseline is about 32 Mbit/s; image layers
   *   come from S3 through the gateway endpoint, not through NAT.
   * - Patching: the instance keeps the AMI it was created from (`ignoreChanges`), so a new Amazon
   *   Linux release never replaces it in the middle of a deploy. Its first boot upgrades it to
   *   the latest release instead, so `pulumi up --replace <its URN>` (which reuses the recorded
   *   AMI, as ignored properties do) gives a patched NAT; a new kernel runs from its next reboot.
   */
  private createNatInstance(
    subnet: aws.ec2.Subnet,
    internetGateway: aws.ec2.InternetGateway,
  ): RouteTarget {
    const name = `${this.name}-nat-instance`;
    const group = new aws.ec2.SecurityGroup(
      `${this.name}-nat`,
      {
        vpcId: this.vpc.id,
        // EC2 takes only a-zA-Z0-9, spaces and ._-:/()#,@[]+=&;{}!$* here: no apostrophe.
        description: "NAT instance: forwards outbound traffic of the VPC to the internet",
        tags: { Name: `${this.name}-nat` },
      },
      { parent: this },
    );
    // Any protocol from inside the VPC only: what a task may send is decided by its own
    // security group's egress rules, and nothing from the internet may open a connection.
    this.rule("ingress", "nat-from-vpc", group, "all", { cidrIpv4: this.args.cidrBlock }, "VPC");
    // Out: HTTPS, all a task may send (serviceInternetEgress), and HTTP for the instance's own
    // package mirrors at first boot. DNS and time are link-local, outside security groups.
    for (const port of [443, 80]) {
      this.rule("egress", `nat-to-internet-${port}`, group, port, { cidrIpv4: "0.0.0.0/0" }, "out");
    }

    // Amazon's own pointer to the current Amazon Linux 2023 arm64 AMI, rather than an image-name
    // search, which could also match the minimal or another kernel's images. Its `value` is
    // always marked secret; an AMI id is not one.
    const ami = aws.ssm.getParameterOutput({ name: natInstanceAmiParameter }, { parent: this });
    const instance = new aws.ec2.Instance(
      name,
      {
        ami: ami.insecureValue,
        instanceType: "t4g.nano",
        subnetId: subnet.id,
        vpcSecurityGroupIds: [group.id],
        // It forwards packets addressed to other hosts, which EC2 otherwise drops.
        sourceDestCheck: false,
        // The first boot installs packages before the Elastic IP is associated; the EIP then
        // replaces this address (and the provider reads the EIP as a public address, so `false`
        // here would show a diff and replace the instance on the next update).
        associatePublicIpAddress: true,
        // Standard credits: a traffic burst is throttled to the baseline instead of billed.
        creditSpecification: { cpuCredits: "standard" },
        // IMDSv2 only, one hop: the instance has no role, and no forwarded packet may reach IMDS.
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: 1,
        },
        rootBlockDevice: { encrypted: true, volumeType: "gp3", deleteOnTermination: true },
        // Simplified automatic recovery (AWS's default for t4g), stated so it is not turned off.
        maintenanceOptions: { autoRecovery: "default" },
        userData: natInstanceUserData(this.args.cidrBlock),
        // User data runs on the first boot only: a changed script needs a fresh instance.
        userDataReplaceOnChange: true,
        tags: { Name: name },
      },
      { parent: this, dependsOn: [internetGateway], ignoreChanges: ["ami"] },
    );
    // A fixed egress address, as the NAT gateways have, for partners that allow-list it.
    new aws.ec2.Eip(
      name,
      { domain: "vpc", instance: instance.id, tags: { Name: name } },
      { parent: this },
    );
    this.rebootWhenHung(name, instance);
    return { networkInterfaceId: instance.primaryNetworkInterfaceId };
  }

  /**
   * Reboots the instance when its own OS stops answering (instance status check, three minutes):
   * the failure simplified automatic recovery, which handles the host's, leaves alone.
   */
  private rebootWhenHung(name: string, instance: aws.ec2.Instance): void {
    const topic = this.args.natAlarm?.topicArn;
    const partition = aws.getPartitionOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    new aws.cloudwatch.MetricAlarm(
      `${name}-hung`,
      {
        alarmDescription:
          this.args.natAlarm?.description ??
          "NAT instance fails its instance status check (hung OS): reboot it",
        namespace: "AWS/EC2",
        metricName: "StatusCheckFailed_Instance",
        dimensions: { InstanceId: instance.id },
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        // No data means the instance is stopped or gone: that is for EC2's recovery, not a reboot.
        treatMissingData: "notBreaching",
        alarmActions: [
          pulumi.interpolate`arn:${partition.partition}:automate:${region.region}:ec2:reboot`,
          ...(topic ? [topic] : []),
        ],
        okActions: topic ? [topic] : [],
      },
      { parent: this },
    );
  }

  private associate(name: string, subnet: aws.ec2.Subnet, table: aws.ec2.RouteTable): void {
    new aws.ec2.RouteTableAssociation(
      `${this.name}-${name}`,
      { subnetId: subnet.id, routeTableId: table.id },
      { parent: this },
    );
  }

  /** S3 traffic (image layers) stays off the NAT gateways' meter. */
  private createS3Endpoint(routeTables: aws.ec2.RouteTable[]): aws.ec2.VpcEndpoint {
    const region = aws.getRegionOutput({}, { parent: this });
    return new aws.ec2.VpcEndpoint(
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

  /**
   * Through the S3 endpoint only ECR's image layers (read) and `bucketArns` (the stack's own),
   * so a task cannot copy data to a bucket of another account over it. ECR serves layers from
   * `prod-<region>-starport-layer-bucket`, which the endpoint policy must allow ("Create the
   * Amazon S3 gateway endpoint", https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html).
   */
  limitS3Endpoint(bucketArns: pulumi.Input<string>[]): aws.ec2.VpcEndpointPolicy {
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    return new aws.ec2.VpcEndpointPolicy(
      `${this.name}-s3`,
      {
        vpcEndpointId: this.s3Endpoint.id,
        policy: pulumi.all([partition, region, pulumi.all(bucketArns)]).apply(([p, r, buckets]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "EcrImageLayers",
                Effect: "Allow",
                Principal: "*",
                Action: "s3:GetObject",
                Resource: `arn:${p}:s3:::prod-${r}-starport-layer-bucket/*`,
              },
              {
                Sid: "StackBuckets",
                Effect: "Allow",
                Principal: "*",
                Action: ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                Resource: buckets.flatMap((arn) => [arn, `${arn}/*`]),
              },
            ],
          }),
        ),
      },
      { parent: this },
    );
  }

  /**
   * Interface endpoints of what a task needs to start and run: ECR's API (auth token, image
   * manifest) and registry (`dkr`), and CloudWatch Logs (the awslogs driver). On Fargate 1.4.0
   * these go through the task's own network interface, so its security group must allow them
   * ("Amazon ECR interface VPC endpoints", same page; Fargate "Task networking"). With them the
   * tasks need no internet route at all; S3 (layers) goes through the gateway endpoint.
   * DNS (the VPC resolver) and the task metadata and credential endpoints are link-local, which
   * security groups do not filter.
   * https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
   */
  private createInterfaceEndpoints(subnets: aws.ec2.Subnet[]): void {
    const region = aws.getRegionOutput({}, { parent: this }).region;
    for (const service of interfaceEndpointServices) {
      new aws.ec2.VpcEndpoint(
        `${this.name}-${service.replace(".", "-")}`,
        {
          vpcId: this.vpc.id,
          serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: subnets.map((s) => s.id),
          securityGroupIds: [this.securityGroups.endpoints.id],
          tags: { Name: `${this.name}-${service}` },
        },
        { parent: this },
      );
    }
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
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const role = new aws.iam.Role(
      `${this.name}-flow-logs`,
      {
        description: "Lets VPC Flow Logs write to its CloudWatch log group",
        // Flow logs send the flow log's ARN and its owner ("IAM role for publishing flow logs to
        // CloudWatch Logs": https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html);
        // the flow log's id is not known before the role exists, hence the wildcard.
        assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", {
          sourceAccount: account,
          sourceArn: pulumi.interpolate`arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*`,
        }),
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
                // The actions AWS lists for a flow log's role ("IAM role for publishing flow logs
                // to CloudWatch Logs", VPC user guide), scoped to the one group where the action
                // allows it. The service checks the group with DescribeLogGroups, which is
                // authorized on the account's log-group listing, not on one group.
                Action: [
                  "logs:CreateLogGroup",
                  "logs:CreateLogStream",
                  "logs:PutLogEvents",
                  "logs:DescribeLogStreams",
                ],
                Resource: [arn, `${arn}:*`],
              },
              {
                Effect: "Allow",
                Action: "logs:DescribeLogGroups",
                Resource: `${arn.slice(0, arn.indexOf(":log-group:"))}:log-group:*`,
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
    // Its description predates the role bootstrap's rule; changing it would replace the group.
    const database = group("database", "Database: PostgreSQL from the proxy only");
    const endpoints = group("endpoints", "AWS interface endpoints: HTTPS from the service only");
    const bootstrap = group("db-bootstrap", "Role bootstrap task: admits nothing; to the database");
    const { servicePort, databasePort } = this.args;

    const internet = { cidrIpv4: "0.0.0.0/0" };
    const cloudFront = aws.ec2.getManagedPrefixListOutput(
      { name: cloudFrontPrefixListName },
      { parent: this },
    );
    // Exactly the port CloudFront reaches the origin on: 443 with HTTPS (its origin protocol
    // policy is then https-only, so the port-80 redirect listener serves no one it admits), else
    // 80. One rule either way (see cloudFrontPrefixListName); a range 80-443 would admit every
    // port between.
    this.rule(
      "ingress",
      "alb-from-cloudfront",
      loadBalancer,
      this.args.loadBalancerHttps ? 443 : 80,
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
    // Image pulls and logs: the interface endpoints, and S3 (image layers) through the gateway
    // endpoint, whose addresses are the region's S3 prefix list.
    this.rule("egress", "service-to-endpoints", service, 443, { group: endpoints }, "ECR, logs");
    const s3 = aws.ec2.getManagedPrefixListOutput(
      {
        name: pulumi.interpolate`com.amazonaws.${aws.getRegionOutput({}, { parent: this }).region}.s3`,
      },
      { parent: this },
    );
    this.rule("egress", "service-to-s3", service, 443, { prefixListId: s3.id }, "S3: image layers");
    this.rule("ingress", "endpoints-from-service", endpoints, 443, { group: service }, "tasks");
    if (this.args.serviceInternetEgress) {
      this.rule("egress", "service-https", service, 443, internet, "HTTPS to the internet");
    }
    this.rule("ingress", "proxy-from-service", proxy, databasePort, { group: service }, "tasks");
    // The database is reached only through the proxy, which pools connections and enforces IAM auth.
    this.rule("egress", "proxy-to-db", proxy, databasePort, { group: database }, "database");
    this.rule("ingress", "db-from-proxy", database, databasePort, { group: proxy }, "proxy");
    // The master signs in only here, by password, from the one-off task that creates the roles;
    // the service's tasks have no path to the instance.
    this.rule(
      "ingress",
      "db-from-bootstrap",
      database,
      databasePort,
      { group: bootstrap },
      "role bootstrap",
    );
    this.rule(
      "egress",
      "bootstrap-to-db",
      bootstrap,
      databasePort,
      { group: database },
      "database",
    );
    this.rule("egress", "bootstrap-https", bootstrap, 443, internet, "AWS APIs over HTTPS");

    return { loadBalancer, service, proxy, database, endpoints, bootstrap };
  }

  private rule(
    direction: "ingress" | "egress",
    name: string,
    target: aws.ec2.SecurityGroup,
    port: number | [number, number] | "all",
    peer:
      | { cidrIpv4: string }
      | { prefixListId: pulumi.Input<string> }
      | { group: aws.ec2.SecurityGroup },
    description: string,
  ): void {
    const ports =
      port === "all"
        ? { ipProtocol: "-1" }
        : {
            ipProtocol: "tcp",
            fromPort: typeof port === "number" ? port : port[0],
            toPort: typeof port === "number" ? port : port[1],
          };
    const Rule =
      direction === "ingress" ? aws.vpc.SecurityGroupIngressRule : aws.vpc.SecurityGroupEgressRule;
    new Rule(
      `${this.name}-${name}`,
      {
        securityGroupId: target.id,
        ...ports,
        description,
        ...("group" in peer ? { referencedSecurityGroupId: peer.group.id } : peer),
      },
      { parent: this },
    );
  }
}

/**
 * AWS services a task reaches through an interface endpoint. Each costs $0.011/h per AZ
 * (eu-west-1), about $8/month per AZ, plus $0.01/GB: in two AZs about $48/month for the three.
 */
export const interfaceEndpointServices = ["ecr.api", "ecr.dkr", "logs"] as const;

/** Where a route sends its traffic: a NAT gateway, or the NAT instance's network interface. */
type RouteTarget =
  { natGatewayId: pulumi.Output<string> } | { networkInterfaceId: pulumi.Output<string> };

/** AWS's public SSM parameter naming the current Amazon Linux 2023 AMI for arm64 (Graviton). */
export const natInstanceAmiParameter =
  "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

/**
 * First-boot script of the NAT instance, after AWS's "NAT instance" guide for Amazon Linux 2023:
 * upgrade to the latest release, turn on IP forwarding and masquerade the VPC's packets behind
 * the instance's address. Both are
 * written to files the OS reads at every boot, so a reboot or a recovery keeps the NAT working.
 * https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html
 */
export function natInstanceUserData(vpcCidr: string): string {
  return `#!/bin/bash
set -euo pipefail
echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat-instance.conf
sysctl -p /etc/sysctl.d/90-nat-instance.conf
# The repositories are reached through the internet gateway: retry until the network is up.
# The AMI stays the one the instance was created from: patch to the latest release first.
until dnf upgrade -y --releasever=latest; do sleep 10; done
until dnf install -y iptables-services; do sleep 10; done
systemctl enable --now iptables
# The interface of the default route (ens5 on Nitro instances).
interface=$(ip -o -4 route show to default | awk '{print $5; exit}')
iptables -t nat -A POSTROUTING -o "$interface" -s ${vpcCidr} -j MASQUERADE
# The package's default rules reject forwarded packets; the security group filters instead.
iptables -F FORWARD
iptables-save > /etc/sysconfig/iptables
`;
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
