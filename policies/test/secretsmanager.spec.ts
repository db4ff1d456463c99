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
