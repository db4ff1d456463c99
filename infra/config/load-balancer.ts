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
});
export type LoadBalancerConfig = z.infer<typeof loadBalancerSection>;
export type LoadBalancerFits = Assert<Fits<LoadBalancerConfig, LoadBalancerSettings>>;
