import * as pulumi from "@pulumi/pulumi";

/**
 * Who may act through a grant to an AWS service principal (confused-deputy protection): only
 * requests the service makes for this account (`aws:SourceAccount`) and, where the service sets
 * it, for one resource or family of resources (`aws:SourceArn`, matched with `ArnLike`, so a
 * `*` may stand for the part not known before the resource exists).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
export interface SourceConditions {
  /** The account the request must come from: this stack's. */
  sourceAccount: pulumi.Input<string>;
  /** The resource (ARN pattern) the request must come from. Unset: any of the account's. */
  sourceArn?: pulumi.Input<string>;
}

/**
 * A service that sends neither key when it assumes a role: a condition on them would refuse it,
 * and the first deploy (or the first backup) would fail. `reason` names the AWS page that says
 * so; it is not written into the policy, it documents the exception where the role is made.
 */
export interface NoSourceConditions {
  unconditionedBecause: string;
}

type Conditions = SourceConditions | NoSourceConditions;

/** The `Condition` block for `conditions`, or undefined when the service sends no source keys. */
export function sourceCondition(
  conditions: Conditions,
): pulumi.Output<Record<string, Record<string, string>> | undefined> {
  if ("unconditionedBecause" in conditions) return pulumi.output(undefined);
  return pulumi.all([conditions.sourceAccount, conditions.sourceArn]).apply(([account, arn]) => ({
    StringEquals: { "aws:SourceAccount": account },
    ...(arn === undefined ? {} : { ArnLike: { "aws:SourceArn": arn } }),
  }));
}

/** An IAM policy statement, as JSON.stringify writes it. */
export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal: { Service: string | string[] };
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

/** One `Allow` statement for a service principal, with the source conditions. */
export function serviceStatement(
  service: string | string[],
  grant: {
    sid?: string;
    actions: string | string[];
    resource: pulumi.Input<string | string[]>;
  },
  conditions: SourceConditions,
): pulumi.Output<PolicyStatement> {
  return pulumi
    .all([grant.resource, sourceCondition(conditions)])
    .apply(([Resource, Condition]) => ({
      ...(grant.sid ? { Sid: grant.sid } : {}),
      Effect: "Allow",
      Principal: { Service: service },
      Action: grant.actions,
      Resource,
      Condition,
    }));
}

/**
 * The trust (assume-role) policy of a role only `service` may assume, for this account and,
 * given `sourceArn`, for that resource only.
 */
export function serviceTrustPolicy(service: string, conditions: Conditions): pulumi.Output<string> {
  return sourceCondition(conditions).apply((Condition) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: service },
          Action: "sts:AssumeRole",
          ...(Condition ? { Condition } : {}),
        },
      ],
    }),
  );
}
