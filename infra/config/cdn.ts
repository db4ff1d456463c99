/** The CDN: its edge locations, its WAF and its logs. */
import { z } from "zod";
import { priceClasses, type CdnSettings } from "../cdn";
import {
  boolean,
  integer,
  onOrOff,
  retentionPeriod,
  retentionPeriods,
  setting,
  type Assert,
  type Fits,
} from "./setting";

export const cdnSection = z.object({
  priceClass: setting(z.enum(priceClasses), {
    key: "priceClass",
    description:
      "CloudFront price class: edge locations in North America and Europe (`_100`), plus Asia, Middle East and Africa (`_200`), or all",
    expected: `one of ${priceClasses.join(", ")}`,
  }),
  waf: setting(boolean, {
    key: "waf",
    description:
      "AWS WAF on the CDN: AWS managed common and known-bad-input rules and a per-IP rate limit",
    expected: onOrOff("production is always behind the WAF"),
  }),
  wafRateLimit: setting(integer(100, 10_000), {
    key: "wafRateLimit",
    description: "Requests one client IP may make in any 5 minutes before the WAF blocks it",
    expected: "an integer from 100 to 10000 (the policy pack's wafv2-rate-limit refuses more)",
    default: 2000,
  }),
  wafLogRetentionDays: setting(retentionPeriods, {
    key: "wafLogRetentionDays",
    description: "Days WAF logs (in CloudWatch Logs, us-east-1) are kept",
    expected: retentionPeriod,
  }),
  accessLogRetentionDays: setting(integer(1, 3650), {
    key: "cdnLogRetentionDays",
    description: "Days CloudFront access logs are kept in S3",
    expected: "an integer from 1 to 3650",
  }),
  additionalMetrics: setting(boolean, {
    key: "cdnAdditionalMetrics",
    description:
      "CloudFront's additional metrics (cache hit rate, origin latency, errors by status): about $2.40 a month per distribution",
    expected: "true or false",
  }),
});
export type CdnConfig = z.infer<typeof cdnSection>;
export type CdnFits = Assert<Fits<CdnConfig, CdnSettings>>;
