import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ProbeArgs {
  /** `<project>-<stack>`: the health check's `Name` tag starts with it. */
  namePrefix: string;
  /** The URL the checkers request (the service's readiness, through the CDN). */
  url: pulumi.Input<string>;
  /** Seconds between the requests of each checker: 10 or 30. */
  intervalSeconds: 10 | 30;
}

/**
 * A Route 53 health check: checkers in several regions request `url`, as users reach it. Route 53
 * publishes its status (`AWS/Route53` `HealthCheckStatus`) in us-east-1 only.
 */
export function createProbe(
  name: string,
  scope: pulumi.Resource,
  args: ProbeArgs,
): aws.route53.HealthCheck {
  const url = pulumi.output(args.url).apply((u) => new URL(u));
  return new aws.route53.HealthCheck(
    `${name}-probe`,
    {
      type: url.apply((u) => (u.protocol === "https:" ? "HTTPS" : "HTTP")),
      fqdn: url.hostname,
      port: url.apply((u) => Number(u.port || (u.protocol === "https:" ? 443 : 80))),
      resourcePath: url.apply((u) => `${u.pathname}${u.search}`),
      enableSni: url.apply((u) => u.protocol === "https:"),
      requestInterval: args.intervalSeconds,
      // Three failures in a row from a checker before it counts the endpoint unhealthy.
      failureThreshold: 3,
      measureLatency: false,
      tags: { Name: `${args.namePrefix}-readiness` },
    },
    { parent: scope },
  );
}
