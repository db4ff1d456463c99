import assert from "node:assert/strict";
import { environments } from "../../infra/config";
import { interfaceEndpointServices } from "../../infra/network";
import {
  ofType,
  runProgram,
  type ProgramRun,
  type RegisteredResource,
} from "../../scripts/offline/harness";
import { byId, configKey, one, project, stackRun } from "./stacks";

interface Statement {
  Sid?: string;
  Effect: string;
  Principal: { Service: string | string[] } | string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

const statements = (document: unknown): Statement[] =>
  [(JSON.parse(document as string) as { Statement: Statement | Statement[] }).Statement].flat();

const accountOf = (run: ProgramRun) => run.config[configKey("accountId")];
const regionOf = (run: ProgramRun) => run.config["aws:region"];
const named = (run: ProgramRun, type: string, name: string) =>
  ofType(run, type).find((r) => r.name === name)!;

/** The Service-principal statements' conditions, by principal, of every role's trust policy. */
function trustConditions(run: ProgramRun): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const role of ofType(run, "aws:iam/role:Role")) {
    for (const s of statements(role.inputs.assumeRolePolicy)) {
      const service = (s.Principal as { Service: string }).Service;
      found[`${role.name} ${service}`] = s.Condition ?? "none";
    }
  }
  return found;
}

const egressOfService = (run: ProgramRun, stack: string) => {
  const group = named(run, "aws:ec2/securityGroup:SecurityGroup", `${stack}-service`);
  return ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    .filter((r) => r.inputs.securityGroupId === group.id)
    .map((r) => r.inputs.cidrIpv4 ?? r.inputs.prefixListId ?? r.inputs.referencedSecurityGroupId);
};

const containers = (task: RegisteredResource) =>
  JSON.parse(task.inputs.containerDefinitions as string) as {
    name: string;
    linuxParameters?: unknown;
  }[];

describe("least privilege", () => {
  for (const stack of environments) {
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });

      it("every role trusts its service for this account only, and for the one resource where the service says which", () => {
        const account = accountOf(run);
        const region = regionOf(run);
        const forward = named(
          run,
          "aws:cloudwatch/eventRule:EventRule",
          `${stack}-alarm-mirror-forward`,
        );
        const only = (sourceArn?: unknown) => ({
          StringEquals: { "aws:SourceAccount": account },
          ...(sourceArn ? { ArnLike: { "aws:SourceArn": sourceArn } } : {}),
        });
        assert.deepEqual(trustConditions(run), {
          [`${stack}-flow-logs vpc-flow-logs.amazonaws.com`]: only(
            `arn:aws:ec2:${region}:${account}:vpc-flow-log/*`,
          ),
          [`${stack}-execution ecs-tasks.amazonaws.com`]: only(),
          [`${stack}-task ecs-tasks.amazonaws.com`]: only(`arn:aws:ecs:${region}:${account}:*`),
          [`${stack}-db-monitoring monitoring.rds.amazonaws.com`]: only(
            `arn:aws:rds:${region}:${account}:db:${project}-${stack}`,
          ),
          [`${stack}-alarm-mirror events.amazonaws.com`]: only(forward.outputs.arn),
          [`${stack}-db-bootstrap-execution ecs-tasks.amazonaws.com`]: only(),
          [`${stack}-db-bootstrap-runner lambda.amazonaws.com`]: only(),
          // Neither sends the source keys (see infra/trust.ts's callers): a condition would
          // refuse them.
          [`${stack}-db-proxy rds.amazonaws.com`]: "none",
          [`${stack}-backup backup.amazonaws.com`]: "none",
        });
      });

      it("the alarm mirror's log group admits EventBridge only for its receiving rule", () => {
        const receive = named(
          run,
          "aws:cloudwatch/eventRule:EventRule",
          `${stack}-alarm-mirror-receive`,
        );
        const policy = named(
          run,
          "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
          `${stack}-alarm-mirror`,
        );
        assert.deepEqual(
          statements(policy.inputs.policyDocument).map((s) => s.Condition),
          [
            {
              StringEquals: { "aws:SourceAccount": accountOf(run) },
              ArnLike: { "aws:SourceArn": receive.outputs.arn },
            },
          ],
        );
      });

      it("the tasks reach the proxy and the AWS endpoints, not the internet", () => {
        const peers = egressOfService(run, stack);
        assert.equal(peers.length, 3, "the proxy, the endpoints and S3's prefix list");
        assert.ok(!peers.includes("0.0.0.0/0"));
        const endpoints = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").filter(
          (e) => e.inputs.vpcEndpointType === "Interface",
        );
        assert.deepEqual(
          endpoints.map((e) => e.inputs.serviceName),
          interfaceEndpointServices.map((s) => `com.amazonaws.${regionOf(run)}.${s}`),
        );
        const group = named(run, "aws:ec2/securityGroup:SecurityGroup", `${stack}-endpoints`);
        for (const endpoint of endpoints) {
          assert.equal(endpoint.inputs.privateDnsEnabled, true, "the SDKs' default host names");
          assert.deepEqual(endpoint.inputs.securityGroupIds, [group.id]);
        }
      });

      it("the S3 gateway endpoint admits only ECR's layer bucket and the stack's buckets", () => {
        const policy = one(run, "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy");
        const gateway = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").find(
          (e) => e.inputs.vpcEndpointType === "Gateway",
        )!;
        assert.equal(policy.inputs.vpcEndpointId, gateway.id);
        const buckets = ofType(run, "aws:s3/bucket:Bucket").map((b) => String(b.outputs.arn));
        assert.equal(buckets.length, 3, "access logs of the load balancer and CDN, static files");
        const [layers, own] = statements(policy.inputs.policy);
        assert.deepEqual(
          [layers.Action, layers.Resource],
          ["s3:GetObject", `arn:aws:s3:::prod-${regionOf(run)}-starport-layer-bucket/*`],
        );
        assert.deepEqual(own.Action, ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]);
        assert.deepEqual(
          [own.Resource].flat().sort(),
          buckets.flatMap((arn) => [arn, `${arn}/*`]).sort(),
        );
      });

      it("every container drops every Linux capability", () => {
        for (const task of ofType(run, "aws:ecs/taskDefinition:TaskDefinition")) {
          const all = containers(task);
          assert.ok(all.length > 0);
          for (const container of all) {
            assert.deepEqual(
              container.linuxParameters,
              { capabilities: { drop: ["ALL"] } },
              container.name,
            );
          }
        }
      });

      it("the load balancer may write its logs only under this account's prefix", () => {
        const logs = ofType(run, "aws:s3/bucketPolicy:BucketPolicy").find((p) =>
          p.name.endsWith("-access-logs"),
        )!;
        const bucket = byId(run, logs.inputs.bucket);
        const allows = statements(logs.inputs.policy).filter((s) => s.Effect === "Allow");
        assert.deepEqual(
          allows.map((s) => [s.Action, s.Resource]),
          [["s3:PutObject", `${bucket.outputs.arn}/AWSLogs/${accountOf(run)}/*`]],
        );
      });
    });
  }

  describe("opt-ins", () => {
    it("serviceInternetEgress: true adds HTTPS to any address, nothing else", async () => {
      const run = await runProgram("staging", { config: { serviceInternetEgress: "true" } });
      const base = await stackRun("staging");
      const added = egressOfService(run, "staging").filter(
        (peer) => !egressOfService(base, "staging").includes(peer),
      );
      assert.deepEqual(added, ["0.0.0.0/0"]);
      const rule = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").find(
        (r) => r.inputs.cidrIpv4 === "0.0.0.0/0" && r.name === "staging-service-https",
      )!;
      assert.deepEqual(
        [rule.inputs.ipProtocol, rule.inputs.fromPort, rule.inputs.toPort],
        ["tcp", 443, 443],
      );
    });

    it("dbLogQueryParameters: true lets the log lines keep bind parameters", async () => {
      const run = await runProgram("staging", { config: { dbLogQueryParameters: "true" } });
      const names = (
        one(run, "aws:rds/parameterGroup:ParameterGroup").inputs.parameters as {
          name: string;
        }[]
      ).map((p) => p.name);
      assert.deepEqual(names, ["rds.force_ssl", "log_min_duration_statement"]);
    });
  });
});
