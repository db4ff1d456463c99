/** The load balancer's protection and access logs. */
import { z } from "zod";
import type { LoadBalancerSettings } from "../load-balancer";
import { boolean, integer, onOrOff, setting, type Assert, type Fits } from "./setting";

export const loadBalancerSection = z.object({
  deletionProtection: setting(boolean, {
    key: "deletionProtection",
    description:
      "Refuse to delete the load balancer, and the image repository and log bucket while not empty",
    expected: onOrOff(),
  }),
  accessLogRetentionDays: setting(integer(1, 3650), {
    key: "albLogRetentionDays",
    description: "Days load balancer access logs are kept in S3",
    expected: "an integer from 1 to 3650",
  }),
  originSecretVersion: setting(integer(1, 1_000_000), {
    key: "originSecretVersion",
    description:
      "Generation of the secret header CloudFront sends the load balancer; raise it to rotate the secret",
    expected: "an integer from 1 to 1000000",
    default: 1,
  }),
  originSecretPrevious: setting(boolean, {
    key: "originSecretPrevious",
    description:
      "The load balancer also accepts the previous generation's secret, while CloudFront deploys a new one",
    expected: onOrOff(),
    default: false,
  }),
});
export type LoadBalancerConfig = z.infer<typeof loadBalancerSection>;
export type LoadBalancerFits = Assert<Fits<LoadBalancerConfig, LoadBalancerSettings>>;
