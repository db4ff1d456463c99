import * as aws from "@pulumi/aws";
import type { ResourceValidationArgs } from "@pulumi/policy";
import assert from "node:assert/strict";
import { forType, validateTypes } from "../lib/validate";

/** What the SDK hands a validation for a resource of `type`; notApplicable throws, as there. */
function argsFor(type: string, props: Record<string, unknown>): ResourceValidationArgs {
  return {
    type,
    props,
    urn: `urn:pulumi:prod::acme::${type}::r`,
    name: "r",
    opts: {} as ResourceValidationArgs["opts"],
    isType: (c) => (c as unknown as { __pulumiType: string }).__pulumiType === type,
    asType: () => undefined,
    getConfig: () => ({}) as never,
    stackTags: new Map(),
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  } as ResourceValidationArgs;
}

describe("validateTypes (lib/validate)", () => {
  const reported: string[] = [];
  const report = (message: string) => reported.push(message);
  beforeEach(() => (reported.length = 0));

  const validation = validateTypes(
    forType(aws.iam.Policy, (policy, _args, r) => r(`policy ${policy.policy}`)),
    forType(aws.iam.RolePolicy, async (policy, _args, r) => {
      await new Promise(setImmediate);
      r(`role policy ${policy.policy}`);
    }),
  );

  it("runs the check of the resource's class, on its inputs", async () => {
    await validation(argsFor("aws:iam/policy:Policy", { policy: "{}" }), report);
    assert.deepEqual(reported, ["policy {}"]);
  });

  it("waits for an asynchronous check, so its violations are not lost", async () => {
    await validation(argsFor("aws:iam/rolePolicy:RolePolicy", { policy: "[]" }), report);
    assert.deepEqual(reported, ["role policy []"]);
  });

  it("reports a resource of none of the classes as not applicable, naming them", async () => {
    const limit = Error.stackTraceLimit;
    await assert.rejects(async () => validation(argsFor("aws:s3/bucket:Bucket", {}), report), {
      message:
        "not applicable: Policy only applies to resources of type 'aws:iam/policy:Policy', 'aws:iam/rolePolicy:RolePolicy'",
    });
    assert.deepEqual(reported, []);
    // It is thrown without a stack trace; traces elsewhere keep theirs.
    assert.equal(Error.stackTraceLimit, limit);
  });
});
