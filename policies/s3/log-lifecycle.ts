import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { companions, isBucket } from "../lib/s3";
import { loadBalancers } from "../lib/elb";
import { ofType, prop, refersTo, type ResourceClass } from "../lib/stack";

/** The properties through which a resource writes its logs to a bucket. */
const logWriters: { classes: ResourceClass[]; key: string }[] = [
  { classes: loadBalancers, key: "accessLogs" },
  { classes: [aws.cloudfront.Distribution], key: "loggingConfig" },
  { classes: [aws.ec2.FlowLog], key: "logDestination" },
  { classes: [aws.cloudwatch.LogDeliveryDestination], key: "deliveryDestinationConfiguration" },
  { classes: [aws.wafv2.WebAclLoggingConfiguration], key: "logDestinationConfigs" },
];

interface LifecycleRule {
  status?: string;
  expiration?: { days?: number };
}

/** Buckets that receive logs expire them, so log storage has a defined retention. */
export const logLifecycle: StackValidationPolicy = {
  name: "s3-log-lifecycle",
  description:
    "Logging 'log retention policy defined': buckets receiving load balancer, CloudFront, WAF or flow logs have an enabled lifecycle rule that expires objects.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const bucket of args.resources.filter(isBucket)) {
      const receivesLogs = logWriters.some((w) =>
        ofType(args.resources, ...w.classes).some((r) => refersTo(r, w.key, bucket)),
      );
      if (!receivesLogs) continue;
      const rules = companions(bucket, args.resources, [
        aws.s3.BucketLifecycleConfiguration,
        aws.s3.BucketLifecycleConfigurationV2,
      ]).flatMap((c) => prop<LifecycleRule[]>(c, "rules") ?? []);
      if (!rules.some((r) => r.status === "Enabled" && (r.expiration?.days ?? 0) > 0)) {
        report(
          `log bucket ${bucket.name} keeps logs forever: add an ` +
            'aws.s3.BucketLifecycleConfiguration with a rule { status: "Enabled", filter: {}, ' +
            "expiration: { days: <retention> } }.",
          bucket.urn,
        );
      }
    }
  },
};
