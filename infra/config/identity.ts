/** Whose stack it is: the one account it may change and the tags every resource carries. */
import { z } from "zod";
import { setting } from "./setting";

export const identitySection = z.object({
  accountId: setting(z.string().regex(/^\d{12}$/), {
    key: "accountId",
    description: "AWS account the stack deploys to; credentials of any other account are refused",
    expected: 'a 12-digit AWS account id, quoted in YAML ("012345678901")',
  }),
  owner: setting(z.string().trim().min(1).max(256), {
    key: "owner",
    description: "Team accountable for the stack (tag `owner`)",
    expected: "a non-empty string",
  }),
  costCenter: setting(z.string().trim().min(1).max(256), {
    key: "costCenter",
    description: "Cost allocation code (tag `cost-center`)",
    expected: "a non-empty string",
  }),
});
export type IdentitySettings = z.infer<typeof identitySection>;
