/** Who hears of alarms, and where the alarms' runbook links point. */
import { z } from "zod";
import { defaultRunbookBaseUrl, runbookBaseUrlMaxLength, runbookBaseUrlPattern } from "../alerts";
import { setting } from "./setting";

export const alertingSection = z.object({
  emails: setting(
    z
      .string()
      .transform((text) => text.split(",").map((address) => address.trim()))
      .pipe(z.array(z.email()).min(1)),
    {
      key: "alertEmail",
      description:
        "Team addresses subscribed to the team alert topic (and the page topic without `pagingEndpoint`)",
      expected: "one or more email addresses, comma-separated",
    },
  ),
  pagingEndpoint: setting(
    z
      .string()
      .trim()
      .pipe(z.url({ protocol: /^https$/ })),
    {
      key: "pagingEndpoint",
      description:
        "HTTPS endpoint of the paging service on the page topic; a secret (`pulumi config set --secret`); unset: the page topic e-mails `alertEmail`",
      expected: "an https:// URL",
      optional: true,
      // Whoever knows it can raise pages (and some services embed a key in the URL).
      secret: true,
      standIn: "https://paging.invalid/offline-stand-in",
    },
  ),
  runbookBaseUrl: setting(z.string().max(runbookBaseUrlMaxLength).regex(runbookBaseUrlPattern), {
    key: "runbookBaseUrl",
    description:
      "Where alarms link the runbooks, as `<url>/<page>.md#<section>`; a fork sets its own",
    // Alert texts carry it into fields of at most 512 characters (alerts.ts).
    expected: `an https:// URL of at most ${runbookBaseUrlMaxLength} characters without a trailing slash`,
    default: defaultRunbookBaseUrl,
  }),
});
export type AlertingSettings = z.infer<typeof alertingSection>;
