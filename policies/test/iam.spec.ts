import assert from "node:assert/strict";
import { diagnostics, find, set, violations } from "./gate";

const rolePolicy = "aws:iam/rolePolicy:RolePolicy";

/**
 * The service's execution role policy, `<stack>-execution` by name: not the role bootstrap's
 * `<stack>-db-bootstrap-execution`, which ends alike.
 */
function serviceExecutionPolicy(resources: Parameters<typeof find>[0]) {
  // urn:pulumi:<stack>::<project>::<type>::<name>
  const stack = resources[0].urn.split("::")[0].split(":")[2];
  return find(resources, rolePolicy, `${stack}-execution`);
}

/** The statements of the service's execution role policy, changed by `change`. */
function executionStatements(change: (statements: Record<string, unknown>[]) => void) {
  return (resources: Parameters<typeof find>[0]) => {
    const policy = serviceExecutionPolicy(resources);
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
          set(serviceExecutionPolicy(resources), "policy", "{not json"),
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

  describe("iam-service-principal-source-conditions", () => {
    const policy = "iam-service-principal-source-conditions";

    /** Changes the trust policy's first statement of the role named `*-<nameEnd>`. */
    const trust =
      (nameEnd: string, change: (statement: Record<string, unknown>) => void) =>
      (resources: Parameters<typeof find>[0]) => {
        const role = find(resources, "aws:iam/role:Role", nameEnd);
        const document = JSON.parse(role.inputs.assumeRolePolicy as string);
        change(document.Statement[0]);
        set(role, "assumeRolePolicy", JSON.stringify(document));
      };

    it("1: reports a task role any account's ECS could assume (no condition)", async () => {
      const found = await violations(
        policy,
        "prod",
        trust("-task", (s) => delete s.Condition),
      );
      assert.deepEqual(found, [
        "the trust policy, statement 1, grants ecs-tasks.amazonaws.com without aws:SourceAccount " +
          "or aws:SourceArn: any account's use of the service could act through it. Add " +
          'Condition {"StringEquals": {"aws:SourceAccount": <this account>}} and, where the ' +
          'service sends it, {"ArnLike": {"aws:SourceArn": <the resource>}} (infra/trust.ts).',
      ]);
    });

    it("2: reports a wildcard account and an ARN of any account (wrong values, not missing)", async () => {
      const found = await violations(
        policy,
        "staging",
        trust("-flow-logs", (s) => {
          s.Condition = {
            StringLike: { "aws:SourceAccount": "*" },
            ArnLike: { "aws:SourceArn": "arn:aws:ec2:*:*:vpc-flow-log/*" },
          };
        }),
      );
      assert.deepEqual(found, [
        'the trust policy, statement 1, grants vpc-flow-logs.amazonaws.com with aws:SourceAccount "*", ' +
          'aws:SourceArn "arn:aws:ec2:*:*:vpc-flow-log/*": name the account (12 digits) and an ' +
          "ARN of this account's resource, not a wildcard.",
      ]);
    });

    it("3: reports a condition that excludes instead of requiring (StringNotEquals)", async () => {
      const found = await violations(
        policy,
        "dev",
        trust("-db-monitoring", (s) => {
          s.Condition = { StringNotEquals: { "aws:SourceAccount": "999999999999" } };
        }),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /grants monitoring\.rds\.amazonaws\.com without aws:SourceAccount/);
    });

    it("4: reports a topic policy letting EventBridge publish for any account", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const topicPolicy = find(resources, "aws:sns/topicPolicy:TopicPolicy", "-page");
        const document = JSON.parse(topicPolicy.inputs.policy as string);
        delete document.Statement[1].Condition;
        set(topicPolicy, "policy", JSON.stringify(document));
      });
      assert.deepEqual(found, [
        "the topic policy, statement EventBridgeRules, grants events.amazonaws.com without " +
          "aws:SourceAccount or aws:SourceArn: any account's use of the service could act " +
          'through it. Add Condition {"StringEquals": {"aws:SourceAccount": <this account>}} ' +
          'and, where the service sends it, {"ArnLike": {"aws:SourceArn": <the resource>}} ' +
          "(infra/trust.ts).",
      ]);
    });

    it("5: does not exempt a service outside the kind of policy AWS documents (Backup in a topic policy)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const topicPolicy = find(resources, "aws:sns/topicPolicy:TopicPolicy", "-team");
        const document = JSON.parse(topicPolicy.inputs.policy as string);
        document.Statement.push({
          Effect: "Allow",
          Principal: { Service: "backup.amazonaws.com" },
          Action: "sns:Publish",
          Resource: "*",
        });
        set(topicPolicy, "policy", JSON.stringify(document));
      });
      assert.equal(found.length, 1);
      assert.match(found[0], /statement 4, grants backup\.amazonaws\.com without/);
    });

    it("passes the shipped stacks (Backup's and RDS Proxy's trust are the documented exceptions)", async () => {
      for (const stack of ["dev", "staging", "prod"] as const) {
        assert.deepEqual(await violations(policy, stack), [], stack);
      }
    });
  });

  describe("iam-policy-write-actions-scoped", () => {
    const policy = "iam-policy-write-actions-scoped";

    it("1: reports a write action on every resource", async () => {
      const found = await violations(
        policy,
        "prod",
        executionStatements((s) => (s[2].Resource = "*")),
      );
      assert.deepEqual(found, [
        "the policy, statement 3, allows logs:CreateLogStream, logs:PutLogEvents on *: name the " +
          "resources the role changes (their ARNs), not every resource of the account.",
      ]);
    });

    it("2: reports a prefix wildcard (every log group of the account), a wrong value rather than a missing one", async () => {
      const found = await violations(
        policy,
        "staging",
        executionStatements(
          (s) => (s[2].Resource = "arn:aws:logs:eu-west-1:111111111111:log-group:*"),
        ),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /on arn:aws:logs:eu-west-1:111111111111:log-group:\*: name/);
    });

    it("3: reports an ARN of any account", async () => {
      const found = await violations(
        policy,
        "dev",
        executionStatements((s) => (s[1].Resource = "arn:aws:ecr:eu-west-1:*:repository/app")),
      );
      assert.equal(found.length, 0, "BatchGetImage and the others only read");
      const written = await violations(
        policy,
        "dev",
        executionStatements((s) => {
          s[1].Action = "ecr:PutImage";
          s[1].Resource = "arn:aws:ecr:eu-west-1:*:repository/app";
        }),
      );
      assert.equal(written.length, 1);
      assert.match(written[0], /allows ecr:PutImage on arn:aws:ecr:eu-west-1:\*:repository\/app/);
    });

    it("passes reads on every resource (ecr:GetAuthorizationToken has no resource-level permission)", async () => {
      for (const stack of ["dev", "staging", "prod"] as const) {
        assert.deepEqual(await violations(policy, stack), [], stack);
      }
    });
  });
});
