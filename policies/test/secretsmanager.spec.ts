import assert from "node:assert/strict";
import type { RegisteredResource } from "../../scripts/offline/harness";
import { addBeside, find, violations } from "./gate";

const secretType = "aws:secretsmanager/secret:Secret";
const rotationType = "aws:secretsmanager/secretRotation:SecretRotation";
const arn = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:jwt-signing-AbCdEf";

/** Adds a JWT signing secret to the database component, as a fork of the template might. */
function addSecret(resources: RegisteredResource[]): RegisteredResource {
  const sibling = find(resources, "aws:kms/alias:Alias", "-db");
  return addBeside(resources, sibling, secretType, "jwt-signing", { name: "jwt-signing", arn });
}

function addRotation(resources: RegisteredResource[], props: Record<string, unknown>) {
  return addBeside(
    resources,
    find(resources, "aws:kms/alias:Alias", "-db"),
    rotationType,
    "jwt-rotation",
    {
      rotationLambdaArn: "arn:aws:lambda:eu-west-1:222222222222:function:rotate-jwt",
      rotationRules: { automaticallyAfterDays: 30 },
      ...props,
    },
  );
}

describe("secretsmanager", () => {
  describe("secretsmanager-secret-rotation", () => {
    const policy = "secretsmanager-secret-rotation";

    it("1: reports a secret that never rotates", async () => {
      const found = await violations(policy, "prod", (resources) => {
        addSecret(resources);
      });
      assert.deepEqual(found, [
        "secret jwt-signing never rotates: add an aws.secretsmanager.SecretRotation for it " +
          "(rotationRules.automaticallyAfterDays), or let the owning service manage it (RDS " +
          "manageMasterUserPassword).",
      ]);
    });

    it("2: reports a secret whose rotation is another secret's", async () => {
      const found = await violations(policy, "staging", (resources) => {
        addSecret(resources);
        addRotation(resources, { secretId: `${arn}-other` });
      });
      assert.equal(found.length, 1);
    });

    const tooRare = (problem: string) =>
      `secret jwt-signing can stay unchanged more than 90 days: ${problem}; rotate at least ` +
      "every 90 days (automaticallyAfterDays 90 or less, or a schedule that runs at least that " +
      "often), as SecretsManager.4 checks.";
    const withRules =
      (rotationRules: Record<string, unknown>) => (resources: RegisteredResource[]) => {
        addSecret(resources);
        addRotation(resources, { secretId: arn, rotationRules });
      };

    it("3: reports a rotation every 365 days (SecretsManager.4 allows 90)", async () => {
      const found = await violations(policy, "prod", withRules({ automaticallyAfterDays: 365 }));
      assert.deepEqual(found, [tooRare("rotationRules.automaticallyAfterDays is 365")]);
    });

    it("4: reports schedules that run too rarely: rate(120 days), quarterly and one year's cron", async () => {
      const found = [
        ...(await violations(
          policy,
          "staging",
          withRules({ scheduleExpression: "rate(120 days)" }),
        )),
        ...(await violations(
          policy,
          "staging",
          withRules({ scheduleExpression: "cron(0 4 1 JAN,APR,JUL,OCT ? *)" }),
        )),
        ...(await violations(
          policy,
          "staging",
          withRules({ scheduleExpression: "cron(0 4 1 * ? 2026)" }),
        )),
      ];
      assert.deepEqual(found, [
        tooRare('rotationRules.scheduleExpression is "rate(120 days)"'),
        tooRare(
          'rotationRules.scheduleExpression "cron(0 4 1 JAN,APR,JUL,OCT ? *)" leaves 3 months ' +
            "between rotations",
        ),
        tooRare(
          'rotationRules.scheduleExpression "cron(0 4 1 * ? 2026)" rotates only in the year(s) 2026',
        ),
      ]);
    });

    it("passes rotations at least every 90 days: 90 days, rate(2160 hours), monthly and every other month", async () => {
      for (const rules of [
        { automaticallyAfterDays: 90 },
        { scheduleExpression: "rate(2160 hours)" },
        { scheduleExpression: "cron(0 4 1 * ? *)" },
        { scheduleExpression: "cron(0 4 ? 1/2 MON#1 *)" },
      ]) {
        assert.deepEqual(
          await violations(policy, "prod", withRules(rules)),
          [],
          JSON.stringify(rules),
        );
      }
    });

    it("passes the program, whose only secret is the database's RDS-managed master password", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });

    it("passes a secret with its rotation, by ARN or by dependency alone (a first preview)", async () => {
      const byArn = await violations(policy, "prod", (resources) => {
        addSecret(resources);
        addRotation(resources, { secretId: arn });
      });
      assert.deepEqual(byArn, []);
      const byDependency = await violations(policy, "prod", (resources) => {
        const secret = addSecret(resources);
        addRotation(resources, {}).propertyDependencies.secretId = [secret.urn];
      });
      assert.deepEqual(byDependency, []);
    });
  });
});
