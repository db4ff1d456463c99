import assert from "node:assert/strict";
import { find, set, violations } from "./gate";

const rolePolicy = "aws:iam/rolePolicy:RolePolicy";

/** The statements of the service's execution role policy, changed by `change`. */
function executionStatements(change: (statements: Record<string, unknown>[]) => void) {
  return (resources: Parameters<typeof find>[0]) => {
    const policy = find(resources, rolePolicy, "-execution");
    const document = JSON.parse(policy.inputs.policy as string);
    change(document.Statement);
    set(policy, "policy", JSON.stringify(document));
  };
}

describe("iam", () => {
  describe("iam-policy-no-wildcard-actions", () => {
    const policy = "iam-policy-no-wildcard-actions";

    it("1: reports a service wildcard", async () => {
      const found = await violations(
        policy,
        "prod",
        executionStatements((s) => (s[1].Action = "ecr:*")),
      );
      assert.deepEqual(found, [
        'the policy allows ecr:*: list the actions the role needs (for example "ecr:BatchGetImage"), each on the resources it needs them on.',
      ]);
    });

    it("2: reports every action allowed", async () => {
      const found = await violations(
        policy,
        "staging",
        executionStatements((s) => s.push({ Effect: "Allow", Action: ["*"], Resource: "*" })),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^the policy allows \*: /);
    });

    it("3: reports Allow with NotAction, which grants all but the listed actions", async () => {
      const found = await violations(
        policy,
        "staging",
        executionStatements((s) => s.push({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^the policy allows NotAction: /);
    });

    it("passes the program's role policies (named actions; GetAuthorizationToken on *)", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });

    it("passes a Deny of everything", async () => {
      const found = await violations(
        policy,
        "prod",
        executionStatements((s) =>
          s.push({
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ),
      );
      assert.deepEqual(found, []);
    });
  });
});
