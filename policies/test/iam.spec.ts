import assert from "node:assert/strict";
import { diagnostics, find, set, violations } from "./gate";

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
    it("4: reports the wrong value *:*, which is every action of every service", async () => {
      const found = await violations(
        policy,
        "prod",
        executionStatements((s) => (s[1].Action = ["ecr:BatchGetImage", "*:*"])),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^the policy allows \*:\*: /);
    });

    it("5: reports an attachment of an AWS managed policy that grants everything (AdministratorAccess)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const attachment = resources.find(
          (r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        )!;
        set(attachment, "policyArn", "arn:aws:iam::aws:policy/AdministratorAccess");
      });
      assert.deepEqual(found, [
        "the AWS managed policy AdministratorAccess is attached, which grants a whole service " +
          "or all of AWS: attach a policy of your own that lists the actions the role needs.",
      ]);
    });

    it("6: reports a *FullAccess managed policy attached to a role by managedPolicyArns", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const role = resources.find((r) => r.type === "aws:iam/role:Role")!;
        set(role, "managedPolicyArns", ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]);
      });
      assert.equal(found.length, 1);
      assert.match(found[0], /^the AWS managed policy AmazonS3FullAccess is attached/);
    });

    it("not checked: a document that does not parse is said aloud, as advisory", async () => {
      const found = (
        await diagnostics("prod", (resources) =>
          set(find(resources, rolePolicy, "-execution"), "policy", "{not json"),
        )
      ).filter((d) => d.policy === policy);
      assert.equal(found.length, 1);
      assert.equal(found[0].level, "advisory");
      assert.match(found[0].message, /^not checked: the policy is not a JSON policy document/);
    });

    it("passes an AWS managed service-role policy attachment (not a wildcard grant)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const attachment = resources.find(
          (r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        )!;
        set(
          attachment,
          "policyArn",
          "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        );
      });
      assert.deepEqual(found, []);
    });
  });
});
