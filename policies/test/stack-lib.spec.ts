import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import assert from "node:assert/strict";
import { ofType } from "../lib/stack";

/** A resource of `type` as a stack policy sees it, counting how often its type is asked. */
function resource(type: string, name: string, asked: { count: number }): PolicyResource {
  return {
    type,
    name,
    urn: `urn:pulumi:prod::acme::${type}::${name}`,
    props: {},
    isType: (c: unknown) => {
      asked.count++;
      return (c as { __pulumiType: string }).__pulumiType === type;
    },
  } as unknown as PolicyResource;
}

describe("ofType (lib/stack)", () => {
  const asked = { count: 0 };
  const resources = [
    resource("aws:sns/topic:Topic", "page", asked),
    resource("aws:sns/topicSubscription:TopicSubscription", "pager", asked),
    resource("aws:sns/topic:Topic", "team", asked),
    resource("aws:ec2/securityGroup:SecurityGroup", "alb", asked),
  ];

  it("finds the resources of each class, in the stack's order", () => {
    assert.deepEqual(
      ofType(resources, aws.sns.Topic).map((r) => r.name),
      ["page", "team"],
    );
    assert.deepEqual(
      ofType(resources, aws.sns.TopicSubscription, aws.ec2.SecurityGroup).map((r) => r.name),
      ["pager", "alb"],
    );
    assert.deepEqual(ofType(resources, aws.rds.Instance), []);
  });

  it("looks at each resource once per class and array, however often a policy asks", () => {
    const before = asked.count;
    for (let i = 0; i < 100; i++) ofType(resources, aws.sns.Topic);
    assert.equal(asked.count, before, "a second search of the same array asks no resource again");
    const other = [...resources];
    ofType(other, aws.sns.Topic);
    assert.equal(asked.count, before + other.length, "another array is a search of its own");
  });
});
