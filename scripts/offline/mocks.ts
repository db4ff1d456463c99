/**
 * Mock answers for running the program without AWS: every resource gets the ids, ARNs and
 * computed attributes AWS would give it, in AWS's real formats, so that one resource's outputs
 * feed another's inputs as they would in a real deployment. Values are derived from the
 * resource's type and name, so two runs of the same program give the same answers.
 */
import * as pulumi from "@pulumi/pulumi";
import { isUnknown } from "@pulumi/pulumi/output";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { createHash } from "node:crypto";

/** The account of resources and caller when the stack names none. */
export const mockAccountId = "123456789012";

type State = Record<string, unknown>;

interface Context {
  region: string;
  accountId: string;
  type: string;
  name: string;
  inputs: State;
  /** Deterministic hex of the given length, unique per resource and `salt`. */
  hex: (length: number, salt?: string) => string;
  /** The physical name Pulumi's auto-naming would give: logical name plus 7 hex characters. */
  autoName: () => string;
}

type Shape = (c: Context) => { id: string; state?: State };

const arn = (c: Context, service: string, resource: string, global = false) =>
  `arn:aws:${service}:${global ? "" : c.region}:${c.accountId}:${resource}`;

const ec2 =
  (prefix: string, kind: string, extra: (c: Context, id: string) => State = () => ({})): Shape =>
  (c) => {
    const id = `${prefix}-${c.hex(17)}`;
    return {
      id,
      state: { arn: arn(c, "ec2", `${kind}/${id}`), ownerId: c.accountId, ...extra(c, id) },
    };
  };

const securityGroupRule = ec2("sgr", "security-group-rule", (_c, id) => ({
  securityGroupRuleId: id,
}));

/** Resource types whose ids and attributes AWS shapes in a particular way. */
const shapes: Record<string, Shape> = {
  "aws:ec2/vpc:Vpc": ec2("vpc", "vpc", (c) => ({
    defaultSecurityGroupId: `sg-${c.hex(17, "default-sg")}`,
    defaultNetworkAclId: `acl-${c.hex(17, "default-acl")}`,
    defaultRouteTableId: `rtb-${c.hex(17, "main-rtb")}`,
    mainRouteTableId: `rtb-${c.hex(17, "main-rtb")}`,
    dhcpOptionsId: `dopt-${c.hex(17, "dhcp")}`,
    instanceTenancy: "default",
  })),
  "aws:ec2/subnet:Subnet": ec2("subnet", "subnet", (c) => ({
    availabilityZoneId: zoneId(c.region, String(c.inputs.availabilityZone ?? "").slice(-1)),
  })),
  "aws:ec2/internetGateway:InternetGateway": ec2("igw", "internet-gateway"),
  "aws:ec2/eip:Eip": ec2("eipalloc", "elastic-ip", (c, id) => ({
    allocationId: id,
    publicIp: `203.0.113.${parseInt(c.hex(2), 16) % 254 || 1}`,
    publicDns: `ec2-203-0-113-1.${c.region}.compute.amazonaws.com`,
  })),
  "aws:ec2/natGateway:NatGateway": ec2("nat", "natgateway", (c) => ({
    publicIp: `203.0.113.${parseInt(c.hex(2), 16) % 254 || 1}`,
    privateIp: "10.0.0.10",
    networkInterfaceId: `eni-${c.hex(17, "eni")}`,
  })),
  // A NAT instance: its primary network interface is what private route tables point at.
  "aws:ec2/instance:Instance": ec2("i", "instance", (c) => ({
    primaryNetworkInterfaceId: `eni-${c.hex(17, "eni")}`,
    privateIp: "10.0.0.20",
    publicIp: c.inputs.associatePublicIpAddress
      ? `203.0.113.${parseInt(c.hex(2, "public-ip"), 16) % 254 || 1}`
      : "",
    instanceState: "running",
  })),
  "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    return { id: name, state: { name, arn: arn(c, "cloudwatch", `alarm:${name}`) } };
  },
  "aws:ec2/routeTable:RouteTable": ec2("rtb", "route-table"),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ec2("rtbassoc", "route-table-association"),
  "aws:ec2/securityGroup:SecurityGroup": ec2("sg", "security-group", (c) => ({
    name: c.inputs.name ?? c.autoName(),
  })),
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ec2("sg", "security-group", () => ({
    name: "default",
  })),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": securityGroupRule,
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": securityGroupRule,
  "aws:ec2/vpcEndpoint:VpcEndpoint": ec2("vpce", "vpc-endpoint", (c) => ({
    prefixListId: `pl-${c.hex(8, "prefix-list")}`,
    state: "available",
  })),
  "aws:ec2/flowLog:FlowLog": ec2("fl", "vpc-flow-log"),
  "aws:cloudwatch/logGroup:LogGroup": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    return { id: name, state: { name, arn: arn(c, "logs", `log-group:${name}`) } };
  },
  "aws:iam/role:Role": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    const path = String(c.inputs.path ?? "/");
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "iam", `role${path}${name}`, true),
        uniqueId: `AROA${c.hex(17).toUpperCase()}`,
        createDate: "2026-01-01T00:00:00Z",
      },
    };
  },
  "aws:iam/rolePolicy:RolePolicy": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    return { id: `${c.inputs.role}:${name}`, state: { name } };
  },
  "aws:iam/policy:Policy": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    return {
      id: arn(c, "iam", `policy/${name}`, true),
      state: { name, arn: arn(c, "iam", `policy/${name}`, true) },
    };
  },
  ...serviceShapes(),
};

// Database and backup (infra/database.ts, infra/backup.ts).
const uuid = (c: Context, salt = "") => {
  const h = c.hex(32, salt);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
};
/** RDS names are lower case; auto-names too. */
const rdsName = (c: Context) => String(c.inputs.name ?? c.autoName()).toLowerCase();
const named =
  (service: string, kind: string, separator = ":"): Shape =>
  (c) => {
    const name = rdsName(c);
    return { id: name, state: { name, arn: arn(c, service, `${kind}${separator}${name}`) } };
  };

Object.assign(shapes, {
  "aws:kms/key:Key": (c) => {
    const keyId = uuid(c);
    return { id: keyId, state: { keyId, arn: arn(c, "kms", `key/${keyId}`) } };
  },
  "aws:kms/alias:Alias": (c) => {
    const name = String(c.inputs.name);
    return {
      id: name,
      state: {
        arn: arn(c, "kms", name),
        targetKeyArn: arn(c, "kms", `key/${c.inputs.targetKeyId}`),
      },
    };
  },
  "aws:rds/subnetGroup:SubnetGroup": named("rds", "subgrp"),
  "aws:rds/parameterGroup:ParameterGroup": named("rds", "pg"),
  "aws:rds/instance:Instance": (c) => {
    const identifier = String(c.inputs.identifier ?? c.autoName()).toLowerCase();
    // Since provider v6 an instance's id is its resource id, not its identifier.
    const resourceId = `db-${c.hex(26).toUpperCase()}`;
    const address = `${identifier}.c${c.hex(11, "endpoint")}.${c.region}.rds.amazonaws.com`;
    const port = Number(c.inputs.port ?? 5432);
    const secretKey = c.inputs.masterUserSecretKmsKeyId;
    return {
      id: resourceId,
      state: {
        identifier,
        resourceId,
        arn: arn(c, "rds", `db:${identifier}`),
        address,
        endpoint: `${address}:${port}`,
        port,
        hostedZoneId: "Z29XKXDKYMONMX",
        status: "available",
        masterUserSecrets: c.inputs.manageMasterUserPassword
          ? [
              {
                secretArn: arn(
                  c,
                  "secretsmanager",
                  `secret:rds!db-${uuid(c, "secret")}-${c.hex(6, "suffix")}`,
                ),
                kmsKeyId: secretKey,
                secretStatus: "active",
              },
            ]
          : [],
      },
    };
  },
  "aws:rds/proxy:Proxy": (c) => {
    const name = rdsName(c);
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "rds", `db-proxy:prx-${c.hex(17)}`),
        endpoint: `${name}.proxy-c${c.hex(11, "endpoint")}.${c.region}.rds.amazonaws.com`,
      },
    };
  },
  "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": (c) => ({
    id: String(c.inputs.dbProxyName),
    state: { name: "default", arn: arn(c, "rds", `target-group:prx-tg-${c.hex(17)}`) },
  }),
  "aws:rds/proxyTarget:ProxyTarget": (c) => {
    const { dbProxyName, targetGroupName, dbInstanceIdentifier } = c.inputs;
    return {
      id: `${dbProxyName}/${targetGroupName}/RDS_INSTANCE/${dbInstanceIdentifier}`,
      state: { type: "RDS_INSTANCE", port: 5432, rdsResourceId: dbInstanceIdentifier },
    };
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (c) => ({
    id: `${c.inputs.role}-${c.hex(20)}`,
  }),
  "aws:backup/vault:Vault": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    return {
      id: name,
      state: { name, arn: arn(c, "backup", `backup-vault:${name}`), recoveryPoints: 0 },
    };
  },
  "aws:backup/plan:Plan": (c) => {
    const id = uuid(c);
    return {
      id,
      state: {
        name: c.inputs.name ?? c.autoName(),
        arn: arn(c, "backup", `backup-plan:${id}`),
        version: c.hex(32, "version"),
      },
    };
  },
  "aws:backup/selection:Selection": (c) => ({
    id: uuid(c),
    state: { name: c.inputs.name ?? c.autoName() },
  }),
  "aws:cloudwatch/eventRule:EventRule": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    return { id: `default/${name}`, state: { name, arn: arn(c, "events", `rule/${name}`) } };
  },
} satisfies Record<string, Shape>);

// Alerting and monitoring (infra/alerting.ts, infra/monitoring.ts).
Object.assign(shapes, {
  "aws:sns/topic:Topic": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    const id = arn(c, "sns", name);
    return { id, state: { name, arn: id, owner: c.accountId } };
  },
  "aws:sns/topicSubscription:TopicSubscription": (c) => {
    const id = `${c.inputs.topic}:${uuid(c)}`;
    return { id, state: { arn: id, ownerId: c.accountId } };
  },
  "aws:sns/topicPolicy:TopicPolicy": (c) => ({
    id: String(c.inputs.arn),
    state: { owner: c.accountId },
  }),
  "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    return { id: name, state: { name, arn: arn(c, "cloudwatch", `alarm:${name}`) } };
  },
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": (c) => {
    const alarmName = String(c.inputs.alarmName ?? c.autoName());
    return { id: alarmName, state: { alarmName, arn: arn(c, "cloudwatch", `alarm:${alarmName}`) } };
  },
  "aws:cloudwatch/dashboard:Dashboard": (c) => {
    const name = String(c.inputs.dashboardName);
    return { id: name, state: { dashboardArn: arn(c, "cloudwatch", `dashboard/${name}`, true) } };
  },
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": (c) => ({ id: String(c.inputs.name) }),
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (c) => ({
    id: String(c.inputs.policyName),
  }),
  "aws:cloudwatch/eventTarget:EventTarget": (c) => ({
    id: `${c.inputs.rule}-${c.inputs.targetId ?? c.hex(12)}`,
    state: { targetId: c.inputs.targetId ?? c.autoName(), eventBusName: "default" },
  }),
  "aws:route53/healthCheck:HealthCheck": (c) => {
    const id = uuid(c);
    return { id, state: { arn: `arn:aws:route53:::healthcheck/${id}` } };
  },
} satisfies Record<string, Shape>);

/**
 * The container platform: ECR and the image, the load balancer with its log bucket and
 * certificate, ECS and autoscaling. Names follow the auto-naming of each type's provider.
 */
function serviceShapes(): Record<string, Shape> {
  /** Identified by the bucket it configures; these resources have no ARN of their own. */
  const bucketPart: Shape = (c) => ({ id: String(c.inputs.bucket) });
  /** `arnSuffix` is what CloudWatch's dimensions take: the ARN after `loadbalancer/`. */
  const elb =
    (kind: "app" | "targetgroup"): Shape =>
    (c) => {
      const name = String(c.inputs.name ?? c.autoName()).slice(0, 32);
      const suffix = `${kind}/${name}/${c.hex(16)}`;
      const id = arn(c, "elasticloadbalancing", kind === "app" ? `loadbalancer/${suffix}` : suffix);
      return { id, state: { arn: id, arnSuffix: suffix, name } };
    };
  return {
    "aws:ecr/repository:Repository": (c) => {
      const name = String(c.inputs.name ?? c.autoName()).toLowerCase();
      return {
        id: name,
        state: {
          name,
          arn: arn(c, "ecr", `repository/${name}`),
          registryId: c.accountId,
          repositoryUrl: `${c.accountId}.dkr.ecr.${c.region}.amazonaws.com/${name}`,
        },
      };
    },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (c) => ({
      id: String(c.inputs.repository),
      state: { registryId: c.accountId },
    }),
    // BuildKit's digest of the pushed manifest; `ref` is the first tag pinned to it.
    "docker-build:index:Image": (c) => {
      const tags = (c.inputs.tags as string[] | undefined) ?? [];
      const digest = `sha256:${createHash("sha256").update(tags.join("\0")).digest("hex")}`;
      const ref = tags.length ? `${tags[0].replace(/:[^:/]+$/, "")}@${digest}` : "";
      return {
        id: tags[0] ?? digest,
        state: { digest, ref, contextHash: c.hex(64, "context") },
      };
    },
    // As the random provider: `hex` is byteLength bytes in hex; new keepers, a new value.
    "random:index/randomId:RandomId": (c) => {
      const hex = c.hex(2 * Number(c.inputs.byteLength), JSON.stringify(c.inputs.keepers ?? {}));
      return { id: hex, state: { hex, dec: BigInt(`0x${hex}`).toString() } };
    },
    "random:index/randomPassword:RandomPassword": (c) => ({
      id: "none",
      state: {
        result: c.hex(Number(c.inputs.length ?? 16), "password"),
        bcryptHash: `$2a$10$${c.hex(53, "bcrypt")}`,
      },
    }),
    "aws:s3/bucket:Bucket": (c) => {
      const name = String(c.inputs.bucket ?? c.autoName()).toLowerCase();
      return {
        id: name,
        state: {
          bucket: name,
          // S3 bucket ARNs carry neither region nor account.
          arn: `arn:aws:s3:::${name}`,
          bucketDomainName: `${name}.s3.amazonaws.com`,
          bucketRegionalDomainName: `${name}.s3.${c.region}.amazonaws.com`,
          region: c.region,
        },
      };
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": bucketPart,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": bucketPart,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
      bucketPart,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucketPart,
    "aws:s3/bucketPolicy:BucketPolicy": bucketPart,
    "aws:lb/loadBalancer:LoadBalancer": (c) => {
      const { id, state } = elb("app")(c);
      const name = String(state!.name);
      return {
        id,
        state: {
          ...state,
          dnsName: `${name}-${parseInt(c.hex(8, "dns"), 16)}.${c.region}.elb.amazonaws.com`,
          // Route 53 hosted zone of ALBs in eu-west-1.
          zoneId: "Z32O12XQLNTSW2",
          vpcId: `vpc-${c.hex(17, "vpc")}`,
        },
      };
    },
    "aws:lb/targetGroup:TargetGroup": elb("targetgroup"),
    "aws:lb/listener:Listener": (c) => {
      const id = arn(
        c,
        "elasticloadbalancing",
        `listener/app/${c.name}/${c.hex(16)}/${c.hex(16, "l")}`,
      );
      return { id, state: { arn: id } };
    },
    "aws:lb/listenerRule:ListenerRule": (c) => {
      const id = arn(
        c,
        "elasticloadbalancing",
        `listener-rule/app/${c.name}/${c.hex(16)}/${c.hex(16, "l")}/${c.hex(16, "r")}`,
      );
      return { id, state: { arn: id } };
    },
    "aws:acm/certificate:Certificate": (c) => {
      const id = arn(c, "acm", `certificate/${uuid(c, "cert")}`);
      const names = [
        c.inputs.domainName,
        ...((c.inputs.subjectAlternativeNames as string[]) ?? []),
      ];
      return {
        id,
        state: {
          arn: id,
          status: "PENDING_VALIDATION",
          domainValidationOptions: names.map((domainName, i) => ({
            domainName,
            resourceRecordName: `_${c.hex(32, `name-${i}`)}.${domainName}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_${c.hex(32, `value-${i}`)}.xlfgrmvvlj.acm-validations.aws.`,
          })),
        },
      };
    },
    "aws:acm/certificateValidation:CertificateValidation": (c) => ({
      id: String(c.inputs.certificateArn),
    }),
    "aws:route53/record:Record": (c) => {
      const fqdn = String(c.inputs.name).replace(/\.$/, "");
      return { id: `${c.inputs.zoneId}_${fqdn}_${c.inputs.type}`, state: { fqdn } };
    },
    "aws:ecs/cluster:Cluster": (c) => {
      const name = String(c.inputs.name ?? c.autoName());
      const id = arn(c, "ecs", `cluster/${name}`);
      return { id, state: { arn: id, name } };
    },
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (c) => ({
      id: String(c.inputs.clusterName),
    }),
    "aws:ecs/taskDefinition:TaskDefinition": (c) => {
      const family = String(c.inputs.family);
      const withoutRevision = arn(c, "ecs", `task-definition/${family}`);
      return {
        id: family,
        state: { arn: `${withoutRevision}:1`, arnWithoutRevision: withoutRevision, revision: 1 },
      };
    },
    "aws:ecs/service:Service": (c) => {
      const name = String(c.inputs.name ?? c.autoName());
      const cluster = String(c.inputs.cluster ?? "default")
        .split("/")
        .pop();
      const id = arn(c, "ecs", `service/${cluster}/${name}`);
      return { id, state: { arn: id, name } };
    },
    "aws:appautoscaling/target:Target": (c) => ({
      id: String(c.inputs.resourceId),
      state: { arn: arn(c, "application-autoscaling", `scalable-target/0e${c.hex(30)}`) },
    }),
    "aws:appautoscaling/policy:Policy": (c) => {
      const name = String(c.inputs.name ?? c.autoName());
      return {
        id: name,
        state: {
          name,
          arn: arn(
            c,
            "autoscaling",
            `scalingPolicy:${uuid(c, "policy")}:resource/${c.inputs.resourceId}:policyName/${name}`,
          ),
          alarmArns: [],
        },
      };
    },
  };
}

// The CDN (infra/cdn.ts): CloudFront, its static bucket's objects, WAF, log delivery.
Object.assign(shapes, {
  "aws:cloudfront/distribution:Distribution": (c) => {
    const id = `E${c.hex(13).toUpperCase()}`;
    return {
      id,
      state: {
        arn: arn(c, "cloudfront", `distribution/${id}`, true),
        domainName: `d${c.hex(13, "domain")}.cloudfront.net`,
        // Route 53's zone of every CloudFront alias target.
        hostedZoneId: "Z2FDTNDATAQYW2",
        status: "Deployed",
        etag: `E${c.hex(13, "etag").toUpperCase()}`,
        callerReference: `terraform-${c.hex(20, "caller")}`,
      },
    };
  },
  // The provider's id for a monitoring subscription is its distribution's.
  "aws:cloudfront/monitoringSubscription:MonitoringSubscription": (c) => ({
    id: String(c.inputs.distributionId),
  }),
  "aws:cloudfront/originAccessControl:OriginAccessControl": (c) => ({
    id: `E${c.hex(13).toUpperCase()}`,
    state: { etag: `E${c.hex(13, "etag").toUpperCase()}` },
  }),
  "aws:cloudfront/cachePolicy:CachePolicy": (c) => ({
    id: uuid(c),
    state: { etag: `E${c.hex(13, "etag").toUpperCase()}` },
  }),
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": (c) => ({
    id: uuid(c),
    state: { etag: `E${c.hex(13, "etag").toUpperCase()}` },
  }),
  "aws:s3/bucketObjectv2:BucketObjectv2": (c) => ({
    id: String(c.inputs.key),
    state: {
      arn: `arn:aws:s3:::${c.inputs.bucket}/${c.inputs.key}`,
      etag: c.hex(32, "etag"),
      versionId: c.hex(32, "version"),
    },
  }),
  "aws:s3/bucketVersioning:BucketVersioning": (c) => ({ id: String(c.inputs.bucket) }),
  "aws:wafv2/webAcl:WebAcl": (c) => {
    const id = uuid(c);
    const name = String(c.inputs.name ?? c.autoName());
    // A CLOUDFRONT-scoped web ACL lives in us-east-1 under `global/`.
    const scope = c.inputs.scope === "CLOUDFRONT" ? "global" : "regional";
    return {
      id,
      state: {
        name,
        arn: arn(c, "wafv2", `${scope}/webacl/${name}/${id}`),
        capacity: 1400,
        lockToken: uuid(c, "lock"),
      },
    };
  },
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": (c) => ({
    id: String(c.inputs.resourceArn),
  }),
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (c) => ({
    id: String(c.inputs.policyName),
  }),
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    return {
      id: name,
      state: { name, arn: arn(c, "logs", `delivery-source:${name}`), service: "cloudfront" },
    };
  },
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (c) => {
    const name = String(c.inputs.name ?? c.autoName());
    return {
      id: name,
      state: {
        name,
        arn: arn(c, "logs", `delivery-destination:${name}`),
        deliveryDestinationType: "S3",
      },
    };
  },
  "aws:cloudwatch/logDelivery:LogDelivery": (c) => {
    const id = c.hex(16);
    return { id, state: { arn: arn(c, "logs", `delivery:${id}`) } };
  },
} satisfies Record<string, Shape>);

/** An ARN in AWS's general format for types without a shape of their own. */
const fallback: Shape = (c) => {
  const [pkg, module] = c.type.split(":");
  const service = (module ?? pkg).split("/")[0].toLowerCase();
  const kind = c.type.split(":").pop()!.toLowerCase();
  const id = `${c.name}-${c.hex(8)}`;
  return { id, state: { arn: arn(c, service, `${kind}/${id}`) } };
};

/**
 * An AZ id as AWS forms them (`use1-az1`, `apne1-az4`, `usgw1-az1`): the region's short name, its
 * directions' initials and its number. The letter-to-id mapping differs per account in AWS; here
 * it is the letter's place.
 */
export function zoneId(region: string, letter: string): string {
  const parts = region.split("-");
  const number = parts.pop()!;
  const [geo, ...rest] = parts;
  const words = rest.map((word) =>
    // `southeast` is `se`, `gov` is `g`, `isob` is `isob`: compass words by their initials.
    word
      .replace(/^(north|south)(east|west)$/, (_, a: string, b: string) => `${a[0]}${b[0]}`)
      .replace(/^(north|south|east|west|central|gov)$/, (w: string) => w[0]),
  );
  const index = Math.max(1, letter.charCodeAt(0) - "a".charCodeAt(0) + 1);
  return `${geo}${words.join("")}${number}-az${index}`;
}

/**
 * The account Elastic Load Balancing wrote access logs from in each region opened before August
 * 2022 (AWS's table, "Enable access logs for your Application Load Balancer"); newer regions have
 * none, and the look-up fails there as in AWS. The program uses the log-delivery service
 * principal instead, which every region accepts.
 */
const elbAccounts: Record<string, string> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-southeast-3": "589379963580",
  "ap-south-1": "718504428378",
  "ap-northeast-3": "383597477331",
  "ap-northeast-2": "600734575887",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-northeast-1": "582318560864",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-south-1": "635631232127",
  "eu-west-3": "009996457667",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-gov-east-1": "190560391635",
  "us-gov-west-1": "048591011584",
};

/**
 * The AZs a region answers with: AWS's count where a region has more than three for new
 * accounts, otherwise three, which every region the provider knows has (and which prod uses).
 */
const zoneLetters: Record<string, string> = { "us-east-1": "abcdef", "us-west-2": "abcd" };

/** The AZ letters of any region (`eu-north-1` -> a, b, c): generated, so no region is missing. */
export function availabilityZones(region: string): string[] {
  return [...(zoneLetters[region] ?? "abc")].map((letter) => `${region}${letter}`);
}

export class AwsMocks implements pulumi.runtime.Mocks {
  /** Default tags of each provider, by provider reference (`urn::id`), to compute `tagsAll`. */
  private readonly providerTags = new Map<string, Record<string, string>>();
  /** Region of each provider that sets one, so a second region's resources get its ARNs. */
  private readonly providerRegions = new Map<string, string>();

  /**
   * @param region the provider's region, in every ARN and AZ
   * @param accountId the account the credentials belong to: in every ARN and the caller identity
   */
  constructor(
    private readonly region: string,
    private readonly accountId = mockAccountId,
  ) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: State } {
    // The stack is part of the hash: two stacks never share an id, as in AWS.
    const hex = (length: number, salt = "") =>
      createHash("sha256")
        .update(`${pulumi.getStack()}\0${args.type}\0${args.name}\0${salt}`)
        .digest("hex")
        .slice(0, length);
    const context: Context = {
      region: (args.provider && this.providerRegions.get(args.provider)) || this.region,
      accountId: this.accountId,
      type: args.type,
      name: args.name,
      inputs: args.inputs,
      hex,
      autoName: () => `${args.name}-${hex(7)}`,
    };

    if (args.custom === false) return { id: "", state: args.inputs };
    if (args.type.startsWith("pulumi:providers:")) {
      const h = hex(32);
      const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
      const urn = `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${args.type}::${args.name}`;
      // Provider inputs arrive JSON-encoded, as the engine passes provider config.
      const raw = args.inputs.defaultTags;
      const defaultTags = (typeof raw === "string" ? JSON.parse(raw) : raw) as
        { tags?: Record<string, string> } | undefined;
      this.providerTags.set(`${urn}::${id}`, defaultTags?.tags ?? {});
      if (typeof args.inputs.region === "string") {
        this.providerRegions.set(`${urn}::${id}`, args.inputs.region);
      }
      return { id, state: args.inputs };
    }

    const shape = shapes[args.type] ?? fallback;
    const { id, state } = shape(context);
    const tags = args.inputs.tags as Record<string, string> | undefined;
    const defaultTags = args.provider ? this.providerTags.get(args.provider) : undefined;
    const tagsAll = defaultTags || tags ? { ...defaultTags, ...tags } : undefined;
    return {
      id,
      state: { ...args.inputs, id, ...state, ...(tagsAll ? { tagsAll } : {}) },
    };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const { region, accountId } = this;
    switch (args.token) {
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        const names = availabilityZones(region);
        return {
          id: region,
          names,
          zoneIds: names.map((name) => zoneId(region, name.slice(-1))),
          groupNames: names.map(() => region),
        };
      }
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          id: accountId,
          accountId,
          arn: `arn:aws:sts::${accountId}:assumed-role/deploy/pulumi`,
          userId: "AROAEXAMPLEROLEID:pulumi",
        };
      case "aws:index/getRegion:getRegion":
        return {
          id: region,
          name: region,
          region,
          description: region,
          endpoint: `ec2.${region}.amazonaws.com`,
        };
      case "aws:ec2/getPrefixList:getPrefixList":
      case "aws:ec2/getManagedPrefixList:getManagedPrefixList": {
        const name = String(args.inputs.name ?? `com.amazonaws.${region}.s3`);
        const id = `pl-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
        const cidrBlocks = ["52.218.0.0/17", "3.5.64.0/21"];
        return {
          id,
          name,
          cidrBlocks,
          entries: cidrBlocks.map((cidr) => ({ cidr, description: "" })),
          addressFamily: "IPv4",
          // What the list weighs against a security group's rule quota: CloudFront's is 55.
          maxEntries: name.includes("cloudfront") ? 55 : 10,
          ownerId: "AWS",
          arn: `arn:aws:ec2:${region}:aws:prefix-list/${id}`,
        };
      }
      // Service shapes: ECR credentials, the ELB log-delivery account, the public hosted zone.
      case "aws:ecr/getAuthorizationToken:getAuthorizationToken": {
        const registry = String(args.inputs.registryId ?? accountId);
        const password = createHash("sha256").update(`ecr\0${registry}`).digest("hex");
        return {
          id: region,
          registryId: registry,
          userName: "AWS",
          password,
          authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"),
          proxyEndpoint: `https://${registry}.dkr.ecr.${region}.amazonaws.com`,
          expiresAt: "2026-01-01T12:00:00Z",
        };
      }
      case "aws:elb/getServiceAccount:getServiceAccount": {
        const account = elbAccounts[String(args.inputs.region ?? region)];
        if (!account) throw new Error(`no ELB service account for region ${region}`);
        return { id: account, arn: `arn:aws:iam::${account}:root`, region };
      }
      case "aws:route53/getZone:getZone": {
        const name = String(args.inputs.name).replace(/\.$/, "");
        const hash = createHash("sha256").update(name).digest("hex").toUpperCase();
        const zoneId = `Z${hash.slice(0, 13)}`;
        return {
          id: zoneId,
          zoneId,
          name,
          privateZone: false,
          arn: `arn:aws:route53:::hostedzone/${zoneId}`,
          nameServers: [`ns-1.awsdns-01.org`, `ns-2.awsdns-02.co.uk`],
        };
      }
      // AWS's public parameters, such as the current Amazon Linux AMI per architecture; any
      // other name is missing, as in an account that never created it.
      case "aws:ssm/getParameter:getParameter": {
        const name = String(args.inputs.name);
        if (!name.startsWith("/aws/service/ami-amazon-linux-latest/")) {
          throw new Error(`ParameterNotFound: ${name}`);
        }
        const ami = `ami-${createHash("sha256").update(`${region}\0${name}`).digest("hex").slice(0, 17)}`;
        return {
          id: name,
          name,
          type: "String",
          value: ami,
          insecureValue: ami,
          version: 112,
          // Public parameters belong to no account: the ARN's account field is empty.
          arn: `arn:aws:ssm:${region}::parameter${name}`,
          withDecryption: args.inputs.withDecryption ?? true,
        };
      }
      case "aws:index/getPartition:getPartition":
        return {
          id: "aws",
          partition: "aws",
          dnsSuffix: "amazonaws.com",
          reverseDnsPrefix: "com.amazonaws",
        };
      default:
        throw new Error(
          `offline mocks have no answer for ${args.token}; add one to scripts/offline/mocks.ts`,
        );
    }
  }
}

/**
 * The provider as `pulumi preview` of a new stack sees it: a resource is not created, so what AWS
 * would compute for it (its id, ARN, generated name and every other value the full mocks invent
 * beyond its inputs) is unknown; the inputs the program set stay known. Components, providers and
 * look-ups answer as in a deployment (the engine configures providers and runs invokes in a preview).
 */
export class PreviewMocks implements pulumi.runtime.Mocks {
  constructor(private readonly deployed: AwsMocks) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
    if (args.custom === false || args.type.startsWith("pulumi:providers:")) {
      return this.deployed.newResource(args);
    }
    // What the deployed mocks would add to the inputs is what AWS computes. They expect known
    // inputs; the sentinel string stands in for an unknown one, and a shape that cannot make sense
    // of it leaves only the id unknown.
    let computed: string[];
    try {
      const made = this.deployed.newResource({ ...args, inputs: sentinels(args.inputs) });
      computed = Object.keys(made.state).filter((key) => !(key in args.inputs));
    } catch {
      computed = [];
    }
    return {
      // No id: the SDK takes the empty id of a preview as unknown.
      id: undefined,
      state: {
        ...Object.fromEntries(computed.map((key) => [key, unknownValue])),
        ...args.inputs,
      },
    };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    return this.deployed.call(args);
  }
}

/** The inputs with each unknown (the SDK's in-memory marker) as the engine's sentinel string. */
export function sentinels<T>(value: T): T {
  if (isUnknown(value)) return unknownValue as T;
  if (Array.isArray(value)) return value.map(sentinels) as T;
  if (
    value === null ||
    typeof value !== "object" ||
    Object.getPrototypeOf(value) !== Object.prototype
  ) {
    return value;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sentinels(v)])) as T;
}
