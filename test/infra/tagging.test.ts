import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot, type ProgramRun, type RegisteredResource } from "../../scripts/offline/harness";
import { configKey, stackRun } from "./stacks";

describe("tagging", () => {
  for (const stack of ["staging", "prod"] as const) {
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });

      const providers = () => run.resources.filter((r) => r.type === "pulumi:providers:aws");
      const copyRegion = () => run.config[configKey("backupCopyRegion")];
      /**
       * What CloudFront takes from us-east-1 only: its certificate, web ACL, log deliveries and
       * the subscription to its additional metrics.
       */
      const edgeTypes = [
        "aws:cloudfront/monitoringSubscription:MonitoringSubscription",
        "aws:acm/certificate:Certificate",
        "aws:acm/certificateValidation:CertificateValidation",
        "aws:wafv2/webAcl:WebAcl",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "aws:cloudwatch/logDeliverySource:LogDeliverySource",
        "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
        "aws:cloudwatch/logDelivery:LogDelivery",
      ];
      const isEdge = (r: RegisteredResource) =>
        r.parent?.endsWith("::acme:cdn:Cdn::" + stack) === true && edgeTypes.includes(r.type);

      it("creates one AWS provider per region, each with default tags carrying environment, project, owner and cost centre", () => {
        // The CDN's and the probe's us-east-1 resources and prod's off-site backup copy each have a provider.
        const regions = providers().map((p) => p.inputs.region);
        assert.deepEqual(
          regions,
          [run.config["aws:region"], "us-east-1", copyRegion()].filter(Boolean),
        );
        for (const provider of providers()) {
          const defaultTags = JSON.parse(provider.inputs.defaultTags as string);
          assert.deepEqual(defaultTags.tags, {
            environment: stack,
            project: run.project,
            "managed-by": "pulumi",
            owner: run.config[configKey("owner")],
            "cost-center": run.config[configKey("costCenter")],
          });
        }
      });

      it("puts every AWS resource under the stack region's provider, but the off-site backup copy under the copy region's, and the CDN's certificate, WAF and log deliveries and the probe's alarm under us-east-1's", () => {
        const reference = (region: string) => {
          const provider = providers().find((p) => p.inputs.region === region)!;
          return `${provider.urn}::${provider.id}`;
        };
        const awsResources = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
        assert.ok(awsResources.length > 20);
        const offSite = awsResources.filter((r) => r.name.includes("-copy-vault"));
        // The copy vault, its key, its lock and its access policy.
        assert.equal(offSite.length, copyRegion() ? 4 : 0);
        assert.ok(awsResources.filter(isEdge).length >= 7);
        // Alarms on us-east-1-only metrics and the rule forwarding their state to the stack's region.
        const probe = awsResources.filter((r) => /-us-east-1$|-alarm-mirror-forward$/.test(r.name));
        // The probe's alarm, the forwarding rule and its target, and the CloudFront certificate's
        // expiry alarm.
        assert.equal(probe.length, 4);
        for (const resource of awsResources) {
          const region = offSite.includes(resource)
            ? copyRegion()
            : isEdge(resource) || probe.includes(resource)
              ? "us-east-1"
              : run.config["aws:region"];
          assert.equal(
            resource.provider,
            reference(region),
            `${resource.urn} uses another provider`,
          );
        }
      });

      it("turns off the default AWS provider in the stack file, so a forgotten provider fails", () => {
        const file = parse(readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8"));
        assert.deepEqual(file.config["pulumi:disable-default-providers"], ["aws"]);
      });
    });
  }
});
