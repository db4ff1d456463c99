/** The VPC: its range, its zones and how private subnets reach the internet. */
import { z } from "zod";
import { isNetworkAddress } from "../aws-limits";
import { natStrategies, type NetworkSettings } from "../network";
import {
  atOrAbove,
  boolean,
  integer,
  quoted,
  retentionPeriod,
  retentionPeriods,
  setting,
} from "./setting";
import type { Assert, Fits } from "./setting";

export const networkSection = z.object({
  cidrBlock: setting(
    z
      .string()
      .pipe(z.cidrv4())
      .refine((cidr) => {
        const prefix = Number(cidr.split("/")[1]);
        return prefix >= 16 && prefix <= 20 && isNetworkAddress(cidr);
      }),
    {
      key: "vpcCidr",
      description: "VPC IPv4 range; subnets are carved from it",
      expected: "an IPv4 CIDR block from /16 to /20, such as 10.10.0.0/16",
    },
  ),
  azCount: setting(integer(2, 3), {
    key: "azCount",
    description: "Availability zones the VPC spans",
    expected: (floor: number | undefined) =>
      floor === 3 ? "3" : `an integer from ${floor ?? 2} to 3`,
  }),
  natGateways: setting(z.enum(natStrategies), {
    key: "natGateways",
    description:
      "`instance`: one NAT instance (t4g.nano, non-prod); `single` shared NAT gateway; `perAz` (one per AZ, survives an AZ outage)",
    expected: (floor: string | undefined, env) => {
      const allowed = atOrAbove(natStrategies, floor);
      return `one of ${quoted(allowed)}${allowed.includes("instance") ? "" : ` (no NAT instance in ${env})`}`;
    },
  }),
  flowLogRetentionDays: setting(retentionPeriods, {
    key: "flowLogRetentionDays",
    description: "Days VPC flow logs are kept",
    expected: retentionPeriod,
  }),
  serviceInternetEgress: setting(boolean, {
    key: "serviceInternetEgress",
    description:
      "The service's tasks may open HTTPS connections to any internet address (through NAT); off: only the database proxy and the AWS endpoints the tasks need",
    expected: "true or false",
    default: false,
  }),
});
export type NetworkConfig = z.infer<typeof networkSection>;
export type NetworkFits = Assert<Fits<NetworkConfig, NetworkSettings>>;
