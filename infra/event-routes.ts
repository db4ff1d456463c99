import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alertDescription, formatAlertText, runbookSectionUrl } from "./alerts";

export interface FailureEventArgs {
  teamTopicArn: pulumi.Input<string>;
  runbookBaseUrl: string;
  /** The rule (from `Backup`) matching failed, aborted and expired backup and copy jobs. */
  backupFailureRuleName: pulumi.Input<string>;
  /** The ECS service whose failed deployments are reported. */
  serviceArn: pulumi.Input<string>;
}

/**
 * Failures that are events rather than metrics, sent to the team topic in the alert text's form:
 * failed AWS Backup jobs, and ECS deployments that failed and were rolled back.
 */
export function routeFailureEvents(
  name: string,
  scope: pulumi.Resource,
  args: FailureEventArgs,
): void {
  const parent = { parent: scope };
  const team = args.teamTopicArn;
  new aws.cloudwatch.EventTarget(
    `${name}-backup-failed`,
    {
      rule: args.backupFailureRuleName,
      arn: team,
      inputTransformer: {
        inputPaths: {
          type: "$.detail-type",
          state: "$.detail.state",
          resource: "$.detail.resourceArn",
          message: "$.detail.statusMessage",
        },
        inputTemplate: JSON.stringify(
          alertDescription(
            args.runbookBaseUrl,
            "backup-failed",
            "AWS Backup: <type> <state> for <resource>: <message>",
          ),
        ),
      },
    },
    parent,
  );

  const deployments = new aws.cloudwatch.EventRule(
    `${name}-deployment-failed`,
    {
      description: "ECS deployments of the service that failed (and were rolled back)",
      eventPattern: pulumi.output(args.serviceArn).apply((arn) =>
        JSON.stringify({
          source: ["aws.ecs"],
          "detail-type": ["ECS Deployment State Change"],
          resources: [arn],
          detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
        }),
      ),
    },
    parent,
  );
  new aws.cloudwatch.EventTarget(
    `${name}-deployment-failed`,
    {
      rule: deployments.name,
      arn: team,
      inputTransformer: {
        inputPaths: {
          service: "$.resources[0]",
          deployment: "$.detail.deploymentId",
          reason: "$.detail.reason",
        },
        inputTemplate: JSON.stringify(
          formatAlertText("the failed-deployment notification", {
            what: "ECS deployment <deployment> of <service> failed: <reason>",
            firstStep:
              "confirm the service is back on the previous task definition and read the " +
              "stopped tasks' reason",
            runbookUrl: runbookSectionUrl(args.runbookBaseUrl, {
              file: "rollback.md",
              anchor: "automatic",
            }),
          }),
        ),
      },
    },
    parent,
  );
}
