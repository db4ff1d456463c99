/**
 * The Pulumi program: reads the stack's configuration once, then wires one component per concern.
 * Exported as a function so the offline harness can run it once per stack in one process.
 */
import * as aws from "@pulumi/aws";
import { loadConfig } from "./config";
import { Network } from "./network";

export = async () => {
  const config = loadConfig();

  // Every AWS resource goes through this provider (the stack files disable the default one), so
  // every taggable resource carries the same tags without anyone writing them by hand. It refuses
  // credentials of any account but the stack's: staging's can never change production.
  const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    allowedAccountIds: [config.accountId],
    defaultTags: { tags: config.tags },
  });

  const network = await Network.create(
    config.stack,
    {
      cidrBlock: config.network.cidrBlock,
      azCount: config.network.azCount,
      natGateways: config.network.natGateways,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
      servicePort: config.service.containerPort,
    },
    { provider },
  );

  return {
    environment: config.environment,
    region: config.region,
    vpcId: network.vpc.id,
    availabilityZones: network.availabilityZones,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    isolatedSubnetIds: network.isolatedSubnetIds,
  };
};
