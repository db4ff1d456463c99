import assert from "node:assert/strict";
import { withFixtures } from "./fixtures";
import type { RegisteredResource } from "../../scripts/offline/harness";
import { addBeside, find, remove, reported, set, violations } from "./gate";

const bucket = "aws:s3/bucket:Bucket";
const publicAccessBlock = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const encryption =
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const versioning = "aws:s3/bucketVersioning:BucketVersioning";
const bucketPolicy = "aws:s3/bucketPolicy:BucketPolicy";
const lifecycle = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

describe("s3", () => {
  describe("s3-public-access-block", () => {
    const policy = "s3-public-access-block";

    it("1: reports a block that lets public policies through", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(find(resources, publicAccessBlock, "static"), "blockPublicPolicy", false),
        ),
      );
      assert.deepEqual(found, [
        "bucket static is not fully blocked from public access (blockPublicPolicy not true): set all four settings of its aws.s3.BucketPublicAccessBlock to true.",
      ]);
    });

    it("2: reports the wrong value: a block that leaves restrictPublicBuckets unset (a declared block replaces S3's default)", async () => {
      const found = await reported(policy, "staging", (resources) =>
        set(find(resources, publicAccessBlock, "access-logs"), "restrictPublicBuckets", undefined),
      );
      assert.equal(found.length, 1);
      assert.equal(found[0][0], "mandatory");
      assert.match(
        found[0][1],
        /^bucket staging-access-logs is not fully blocked.*restrictPublicBuckets/,
      );
    });

    it("3: reports an account-wide block that turns a setting off", async () => {
      const found = await reported(policy, "prod", (resources) => {
        const block = find(resources, publicAccessBlock, "access-logs");
        set(block, "bucket", undefined);
        block.type = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
        block.propertyDependencies = {};
        set(block, "ignorePublicAcls", false);
      });
      assert.deepEqual(
        found.filter(([level]) => level === "mandatory").map(([, m]) => m),
        [
          "the account's public access block turns ignorePublicAcls off, for every bucket: set all four to true.",
        ],
      );
    });

    it("only advises declaring the block on a bucket without one (S3 blocks new buckets by default since April 2023)", async () => {
      const found = await reported(policy, "staging", (resources) =>
        remove(resources, find(resources, publicAccessBlock, "access-logs")),
      );
      assert.equal(found.length, 1);
      assert.equal(found[0][0], "advisory");
      assert.match(found[0][1], /^bucket staging-access-logs declares no public access block/);
    });

    it("passes the program's and the fixtures' buckets", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
    });
  });

  describe("s3-encryption", () => {
    const policy = "s3-encryption";

    it("only advises declaring the default encryption S3 applies anyway (since January 2023)", async () => {
      const found = await reported(policy, "prod", (resources) =>
        remove(resources, find(resources, encryption, "access-logs")),
      );
      assert.deepEqual(found, [
        [
          "advisory",
          "bucket prod-access-logs declares no default encryption: add an aws.s3.BucketServerSideEncryptionConfiguration (sseAlgorithm aws:kms, or AES256 where the writer needs it, e.g. load balancer logs).",
        ],
      ]);
    });

    it("1: reports SSE-KMS on the bucket the load balancer writes its logs to (delivery fails)", async () => {
      const found = await reported(policy, "prod", (resources) =>
        set(find(resources, encryption, "access-logs"), "rules", [
          { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
        ]),
      );
      assert.equal(found.length, 1);
      assert.equal(found[0][0], "advisory");
      assert.match(
        found[0][1],
        /^bucket prod-access-logs receives the logs of load balancer prod-alb but is encrypted with aws:kms: Elastic Load Balancing writes logs only to SSE-S3 buckets/,
      );
    });

    it("2: reports a declaration whose rule names no algorithm (bucket key only)", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, encryption, "access-logs"), "rules", [{ bucketKeyEnabled: true }]),
      );
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /^bucket prod-access-logs's encryption configuration has a rule without/,
      );
    });

    it("passes encryption declared separately or inline", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
      const inline = await violations(policy, "prod", (resources) => {
        remove(resources, find(resources, encryption, "access-logs"));
        set(find(resources, bucket, "access-logs"), "serverSideEncryptionConfiguration", {
          rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        });
      });
      assert.deepEqual(inline, []);
    });
  });

  describe("s3-static-versioning", () => {
    const policy = "s3-static-versioning";

    it("1: reports the CloudFront origin bucket without versioning", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(find(resources, versioning, "static"), "versioningConfiguration", {
            status: "Suspended",
          }),
        ),
      );
      assert.deepEqual(found, [
        'bucket static serves CloudFront without versioning: add an aws.s3.BucketVersioning with versioningConfiguration { status: "Enabled" } (and a lifecycle rule expiring noncurrent versions).',
      ]);
    });

    it("passes the versioned static bucket; log buckets need none", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
    });
  });

  describe("s3-tls-only", () => {
    const policy = "s3-tls-only";

    it("1: reports the log bucket once its policy lacks the TLS-only statement", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const p = find(resources, bucketPolicy, "access-logs");
        const document = JSON.parse(p.outputs.policy as string);
        document.Statement = document.Statement.filter((s: { Sid: string }) => s.Sid !== "TlsOnly");
        set(p, "policy", JSON.stringify(document));
      });
      assert.deepEqual(found, [
        'bucket prod-access-logs accepts requests over plain HTTP: add an aws.s3.BucketPolicy statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket ARN, bucket ARN + "/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }.',
      ]);
    });

    it("2: reports a bucket without any policy", async () => {
      const found = await violations(
        policy,
        "staging",
        withFixtures((resources) => remove(resources, find(resources, bucketPolicy, "static"))),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^bucket static accepts requests over plain HTTP/);
    });

    it("3: reports the wrong value: a TLS-only statement on the bucket ARN alone, leaving its objects open over HTTP", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const p = find(resources, bucketPolicy, "access-logs");
        const document = JSON.parse(p.outputs.policy as string);
        for (const statement of document.Statement) {
          if (statement.Sid === "TlsOnly") {
            statement.Resource = [statement.Resource]
              .flat()
              .filter((r: string) => !r.endsWith("/*"));
          }
        }
        set(p, "policy", JSON.stringify(document));
      });
      assert.equal(found.length, 1);
      assert.match(found[0], /^bucket prod-access-logs accepts requests over plain HTTP/);
    });

    it('4: reports the wrong value: SecureTransport "true" (denies the TLS requests instead)', async () => {
      const found = await violations(policy, "prod", (resources) => {
        const p = find(resources, bucketPolicy, "access-logs");
        const document = JSON.parse(p.outputs.policy as string);
        for (const statement of document.Statement) {
          if (statement.Sid === "TlsOnly") statement.Condition.Bool["aws:SecureTransport"] = "true";
        }
        set(p, "policy", JSON.stringify(document));
      });
      assert.equal(found.length, 1);
    });

    it("5: reports the wrong value: a TLS-only statement narrowed by a second condition", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const p = find(resources, bucketPolicy, "access-logs");
        const document = JSON.parse(p.outputs.policy as string);
        for (const statement of document.Statement) {
          if (statement.Sid === "TlsOnly") {
            statement.Condition.StringNotEquals = { "aws:PrincipalAccount": "222222222222" };
          }
        }
        set(p, "policy", JSON.stringify(document));
      });
      assert.deepEqual(found, [
        'bucket prod-access-logs\'s TLS-only statement TlsOnly also requires StringNotEquals aws:PrincipalAccount, so it denies plain HTTP only to the requests that match those too: keep its Condition to { Bool: { "aws:SecureTransport": "false" } } alone.',
      ]);
    });

    it("not checked: a bucket policy that is not JSON is said aloud, as advisory", async () => {
      const found = await reported(policy, "prod", (resources) =>
        set(find(resources, bucketPolicy, "access-logs"), "policy", "{Statement"),
      );
      assert.equal(found.length, 1);
      assert.equal(found[0][0], "advisory");
      assert.match(found[0][1], /^not checked: bucket prod-access-logs's policy is not JSON/);
    });

    it("passes the program's and the fixtures' TLS-only bucket policies", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
    });
  });

  describe("s3-log-lifecycle", () => {
    const policy = "s3-log-lifecycle";

    it("1: reports the load balancer's log bucket without an expiry", async () => {
      const found = await violations(policy, "prod", (resources) =>
        remove(resources, find(resources, lifecycle, "access-logs")),
      );
      assert.deepEqual(found, [
        'log bucket prod-access-logs keeps logs forever: add an aws.s3.BucketLifecycleConfiguration with a rule { status: "Enabled", filter: {}, expiration: { days: <retention> } }.',
      ]);
    });

    it("2: reports CloudFront's log bucket whose expiry rule is disabled", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(find(resources, lifecycle, "cdn-logs"), "rules", [
            { id: "expire", status: "Disabled", filter: {}, expiration: { days: 90 } },
          ]),
        ),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^log bucket cdn-logs keeps logs forever/);
    });

    /** The access log bucket's expiring rule with its filter replaced by `filter`. */
    const withFilter = (filter: Record<string, unknown>) => (resources: RegisteredResource[]) => {
      const l = find(resources, lifecycle, "access-logs");
      set(
        l,
        "rules",
        (l.inputs.rules as Record<string, unknown>[]).map((r) => ({ ...r, filter })),
      );
    };

    it("3: reports the wrong value: an expiry rule filtered on a tag the logs never carry", async () => {
      const found = await violations(
        policy,
        "prod",
        withFilter({ tag: { key: "class", value: "logs" } }),
      );
      assert.deepEqual(found, [
        "log bucket prod-access-logs keeps some logs forever: its expiring lifecycle rule expire-access-logs filters on a tag, which log objects never carry: set the rule's filter to {} (or a prefix the logs are written under).",
      ]);
    });

    it("4: reports the wrong value: an expiry rule on a prefix the load balancer does not write under", async () => {
      const found = await violations(policy, "prod", withFilter({ prefix: "alb/" }));
      assert.deepEqual(found, [
        'log bucket prod-access-logs keeps some logs forever: its expiring lifecycle rule expire-access-logs filters on prefix "alb/", which does not cover the logs written under "AWSLogs/": set the rule\'s filter to {} (or a prefix the logs are written under).',
      ]);
    });

    it("5: reports the wrong value: expiration days 0", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const l = find(resources, lifecycle, "access-logs");
        set(
          l,
          "rules",
          (l.inputs.rules as Record<string, unknown>[]).map((r) => ({
            ...r,
            expiration: { days: 0 },
          })),
        );
      });
      assert.equal(found.length, 1);
      assert.match(found[0], /^log bucket prod-access-logs keeps logs forever/);
    });

    it("6: reports a versioned log bucket whose expiry leaves noncurrent versions forever", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const logs = find(resources, bucket, "access-logs");
        addBeside(resources, logs, versioning, "prod-access-logs", {
          bucket: logs.outputs.id,
          versioningConfiguration: { status: "Enabled" },
        }).propertyDependencies.bucket = [logs.urn];
      });
      assert.deepEqual(found, [
        "log bucket prod-access-logs is versioned, so expiring a log only makes it a noncurrent version, kept forever: add noncurrentVersionExpiration { noncurrentDays: <days> } to the expiring rule (or leave the log bucket unversioned).",
      ]);
    });

    it("passes the AWSLogs/ prefix the load balancer writes under", async () => {
      assert.deepEqual(await violations(policy, "prod", withFilter({ prefix: "AWSLogs/" })), []);
    });

    it("passes log buckets with an expiry; the static bucket is no log bucket", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
    });
  });
});
