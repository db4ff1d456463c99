/** The service's own name, for the CDN's and the load balancer's certificates. */
import { z } from "zod";
import { dnsName, setting, type CheckContext } from "./setting";

export const domainSection = z.object({
  name: setting(dnsName, {
    key: "domainName",
    description:
      "Public host name of the service (CDN and certificates); unset uses CloudFront's name; required outside dev",
    expected: "a lower-case DNS name such as app.example.com",
    optional: true,
  }),
  hostedZoneName: setting(dnsName, {
    key: "hostedZoneName",
    description:
      "Public Route 53 zone holding `domainName` (validates its certificate); unset: its parent",
    expected: "a lower-case DNS name that `domainName` ends with, such as example.com",
    optional: true,
  }),
});
export type DomainSettings = z.infer<typeof domainSection>;

/** The domain with its zone, if the stack has one. */
export type Domain = { name: string; hostedZoneName: string } | undefined;

/** app.example.com sits in example.com; an apex such as example.com is its own zone. */
export function resolveDomain({ name, hostedZoneName }: Partial<DomainSettings>): Domain {
  if (name === undefined) return undefined;
  const zone =
    hostedZoneName ?? (name.split(".").length > 2 ? name.slice(name.indexOf(".") + 1) : name);
  return { name, hostedZoneName: zone };
}

export function domainProblems(v: Partial<DomainSettings>, { key }: CheckContext) {
  const zone = v.hostedZoneName;
  if (zone === undefined || v.name === zone || v.name?.endsWith(`.${zone}`)) return [];
  return [
    {
      key: key("hostedZoneName"),
      message: `must be a zone that ${key("domainName")} (${v.name}) ends with, got "${zone}"`,
    },
  ];
}
