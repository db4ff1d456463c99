import assert from "node:assert/strict";
import { Region } from "@pulumi/aws";
import { ofType, runProgram } from "../../scripts/offline/harness";
import { AwsMocks, availabilityZones, zoneId } from "../../scripts/offline/mocks";
import { one } from "./stacks";

const regions: string[] = Object.values(Region);

/**
 * Regions the whole program runs in by default: each kind the provider knows (opened before and
 * after August 2022, when ELB's per-region log accounts ended; China, GovCloud, the European
 * Sovereign Cloud), none of them the stacks' own. All 46 take about 2 minutes on a 2-core
 * machine (2.3 s each), these 15 about 35 s; `ALL_REGIONS=1` runs every one.
 */
const sample = [
  "af-south-1",
  "ap-northeast-1",
  "ap-southeast-3",
  "ap-south-2",
  "ap-southeast-7",
  "ca-west-1",
  "eu-north-1",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "mx-central-1",
  "sa-east-1",
  "cn-north-1",
  "us-gov-west-1",
  "eusc-de-east-1",
];

describe("every AWS region", function () {
  this.timeout(600_000);

  it("the sample is of regions the provider knows, and all of them is more than the six once mocked", () => {
    assert.ok(regions.length >= 40, `${regions.length} regions`);
    for (const r of sample) assert.ok(regions.includes(r), r);
  });

  it("the mocks answer the AZ look-up of every region, with AWS-shaped names and ids", () => {
    for (const region of regions) {
      const answer = new AwsMocks(region).call({
        token: "aws:index/getAvailabilityZones:getAvailabilityZones",
        inputs: {},
        provider: "",
      });
      const names = answer.names as string[];
      assert.ok(names.length >= 3, region);
      for (const name of names) assert.match(name, new RegExp(`^${region}[a-f]$`));
      assert.deepEqual(answer.zoneIds, [...new Set(answer.zoneIds as string[])], region);
      for (const id of answer.zoneIds as string[]) assert.match(id, /^[a-z]+\d-az\d$/, region);
    }
    assert.equal(zoneId("ap-northeast-1", "a"), "apne1-az1");
    assert.equal(zoneId("us-gov-west-1", "b"), "usgw1-az2");
    assert.deepEqual(availabilityZones("us-east-1").length, 6);
  });

  const runIn = process.env.ALL_REGIONS === "1" ? regions : sample;
  for (const region of runIn) {
    it(`staging in ${region}: subnets in its AZs, ALB access logs from the log-delivery service`, async () => {
      const run = await runProgram("staging", { config: { "aws:region": region } });
      const zones = availabilityZones(region);
      const subnets = ofType(run, "aws:ec2/subnet:Subnet");
      assert.ok(subnets.length > 0);
      for (const subnet of subnets) {
        assert.ok(zones.includes(subnet.inputs.availabilityZone as string), subnet.name);
      }
      const bucket = ofType(run, "aws:s3/bucket:Bucket").find(
        (b) => b.name === `${run.stack}-access-logs`,
      )!;
      const policy = ofType(run, "aws:s3/bucketPolicy:BucketPolicy").find(
        (p) => p.inputs.bucket === bucket.id,
      )!;
      const [deliver] = JSON.parse(policy.inputs.policy as string).Statement;
      assert.deepEqual(deliver.Principal, {
        Service: "logdelivery.elasticloadbalancing.amazonaws.com",
      });
      assert.ok(one(run, "aws:lb/loadBalancer:LoadBalancer").inputs.accessLogs);
    });
  }
});
