import assert from "node:assert/strict";
import { addBeside, diagnostics, find, set, violations } from "./gate";

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

    it("reports reading every secret's value, and a write on every resource but one (NotResource)", async () => {
      const secrets = await violations(
        policy,
        "prod",
        executionStatements((s) =>
          s.push({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }),
        ),
      );
      assert.equal(secrets.length, 1);
      assert.match(secrets[0], /allows secretsmanager:GetSecretValue on \*: name the resources/);
      const notResource = await violations(
        policy,
        "prod",
        executionStatements((s) =>
          s.push({
            Effect: "Allow",
            Action: "s3:PutObject",
            NotResource: "arn:aws:s3:::audit-logs/*",
          }),
        ),
      );
      assert.equal(notResource.length, 1);
      assert.match(
        notResource[0],
        /allows s3:PutObject on every resource but arn:aws:s3:::audit-logs\/\* \(NotResource\)/,
      );
    });

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

  describe("iam-resource-policy-not-public", () => {
    const policy = "iam-resource-policy-not-public";
    type Resources = Parameters<typeof find>[0];
    const stackOf = (resources: Resources) => resources[0].urn.split("::")[0].split(":")[2];

    /** Adds `statement` to the JSON document in `key` of the resource of `type` named `*nameEnd`. */
    const addStatement =
      (type: string, nameEnd: (stack: string) => string, key: string, statement: object) =>
      (resources: Resources) => {
        const resource = find(resources, type, nameEnd(stackOf(resources)));
        const document = JSON.parse(resource.inputs[key] as string);
        document.Statement = [document.Statement].flat().concat(statement);
        set(resource, key, JSON.stringify(document));
      };
    const toEveryone = (action: string, condition?: object) => ({
      Sid: "Everyone",
      Effect: "Allow",
      Principal: "*",
      Action: action,
      Resource: "*",
      ...(condition ? { Condition: condition } : {}),
    });
    const alertsKey = (statement: object) =>
      addStatement("aws:kms/key:Key", (stack) => `${stack}-alerts`, "policy", statement);

    it("1: reports a key policy that lets everyone decrypt", async () => {
      const found = await violations(policy, "prod", alertsKey(toEveryone("kms:Decrypt")));
      assert.deepEqual(found, [
        'the key policy, statement Everyone, allows kms:Decrypt to every AWS principal (Principal *) with no condition naming an account, organisation, source or VPC endpoint: anyone with an AWS account may use it. Name the principals (an account or role ARN), or add a condition such as {"StringEquals": {"aws:PrincipalAccount": <this account>}}.',
      ]);
    });

    it('2: reports a bucket policy and a vault policy open to { AWS: "*" }', async () => {
      const open = {
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: "s3:GetObject",
        Resource: "*",
      };
      const bucket = await violations(
        policy,
        "prod",
        addStatement("aws:s3/bucketPolicy:BucketPolicy", (s) => `${s}-access-logs`, "policy", open),
      );
      assert.equal(bucket.length, 1);
      assert.match(
        bucket[0],
        /^the bucket policy, statement \d+, allows s3:GetObject to every AWS principal/,
      );
      const vault = await violations(
        policy,
        "staging",
        addStatement("aws:backup/vaultPolicy:VaultPolicy", (s) => `${s}-vault`, "policy", {
          ...open,
          Action: "backup:DeleteRecoveryPoint",
        }),
      );
      assert.equal(vault.length, 1);
      assert.match(vault[0], /^the vault policy, statement \d+, allows backup:DeleteRecoveryPoint/);
    });

    it("3: reports a role any account may assume", async () => {
      const found = await violations(
        policy,
        "prod",
        addStatement("aws:iam/role:Role", (s) => `${s}-execution`, "assumeRolePolicy", {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::*:root" },
          Action: "sts:AssumeRole",
        }),
      );
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /^the trust policy, statement \d+, allows sts:AssumeRole to every AWS principal/,
      );
    });

    it("4: reports conditions that narrow nothing: a wildcard account, a negated one, an IP range", async () => {
      for (const condition of [
        { StringEquals: { "aws:PrincipalAccount": "*" } },
        { StringNotEquals: { "aws:PrincipalAccount": "111111111111" } },
        { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
      ]) {
        const found = await violations(
          policy,
          "prod",
          alertsKey(toEveryone("kms:Decrypt", condition)),
        );
        assert.equal(found.length, 1, JSON.stringify(condition));
      }
    });

    it("5: reports a Lambda permission for every principal without a source", async () => {
      const permission = (props: Record<string, unknown>) => (resources: Resources) => {
        addBeside(
          resources,
          find(resources, "aws:kms/key:Key", `${stackOf(resources)}-alerts`),
          "aws:lambda/permission:Permission",
          "invoke",
          { action: "lambda:InvokeFunction", function: "handler", principal: "*", ...props },
        );
      };
      assert.deepEqual(await violations(policy, "prod", permission({})), [
        "the permission lets every AWS principal call lambda:InvokeFunction on the function, with no sourceArn, sourceAccount or principalOrgId: name the service or account as principal, or set sourceArn to the resource that calls it.",
      ]);
      assert.deepEqual(
        await violations(
          policy,
          "prod",
          permission({ sourceArn: "arn:aws:execute-api:eu-west-1:111111111111:abc123/*" }),
        ),
        [],
      );
    });

    it("passes everyone narrowed to an organisation or a VPC endpoint, Deny statements, and the program", async () => {
      for (const condition of [
        { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
        { StringEquals: { "aws:SourceVpce": "vpce-0123456789abcdef0" } },
      ]) {
        assert.deepEqual(
          await violations(policy, "prod", alertsKey(toEveryone("kms:Decrypt", condition))),
          [],
        );
      }
      assert.deepEqual(
        await violations(policy, "prod", alertsKey({ ...toEveryone("kms:*"), Effect: "Deny" })),
        [],
      );
      for (const stack of ["dev", "staging", "prod"] as const) {
        assert.deepEqual(await violations(policy, stack), [], stack);
      }
    });
  });
});
