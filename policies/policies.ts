/**
 * Every policy of the pack, by area. Enforcement per environment is in config/<stack>.json.
 *
 * | policy | level | what is wrong | why it matters | fix |
 * | --- | --- | --- | --- | --- |
 * | ec2-security-group-public-ingress | mandatory | a port other than 80/443 open to 0.0.0.0/0 or ::/0 | exposes tasks or the database to the internet | route through the ALB; SSM for shell access |
 * | ec2-vpc-flow-logs | mandatory | a VPC without a flow log of ALL traffic | no record of traffic for an incident | add an aws.ec2.FlowLog |
 * | cloudwatch-log-group-retention | mandatory | a log group kept forever or below `minimumDays` | unbounded cost, or evidence gone too soon | set retentionInDays |
 * | tagging-required-tags | mandatory | an AWS resource without the required tags | cost and ownership reports miss it | use the stack's tagged provider |
 */
import type { Policies } from "@pulumi/policy";
import { logGroupRetention } from "./cloudwatch";
import { securityGroupPublicIngress, vpcFlowLogs } from "./ec2";
import { requiredTags } from "./tagging";
// Compute and data: ECS, ECR, RDS, Backup, KMS.
import {
  clusterContainerInsights,
  serviceDeploymentCircuitBreaker,
  serviceFargatePlatformVersion,
  serviceMinimumHealthyPercent,
  serviceNoPublicIp,
  taskDefinitionAwslogs,
  taskDefinitionAwsvpcNetworkMode,
  taskDefinitionHealthCheck,
  taskDefinitionImagePinned,
  taskDefinitionNoSecretsInEnvironment,
  taskDefinitionNonRootUser,
  taskDefinitionNotPrivileged,
  taskDefinitionReadOnlyRootFilesystem,
} from "./ecs";
import { repositoryImmutableTags, repositoryLifecyclePolicy, repositoryScanOnPush } from "./ecr";
import {
  instanceAutoMinorVersionUpgrade,
  instanceBackupRetention,
  instanceCopyTagsToSnapshot,
  instanceCustomAdminUsername,
  instanceDeletionProtection,
  instanceEnhancedMonitoring,
  instanceForceSsl,
  instanceIamAuthentication,
  instanceLogExports,
  instanceMultiAz,
  instanceNotPublic,
  instanceStorageEncrypted,
  proxyIamAuth,
  proxyRequireTls,
} from "./rds";
import { planRetention, vaultCustomerManagedKey } from "./backup";
import { keyRotation } from "./kms";

export const policies: Policies = [
  securityGroupPublicIngress,
  vpcFlowLogs,
  logGroupRetention,
  requiredTags,
  // Compute and data: ECS, ECR, RDS, Backup, KMS.
  clusterContainerInsights,
  serviceDeploymentCircuitBreaker,
  serviceFargatePlatformVersion,
  serviceMinimumHealthyPercent,
  serviceNoPublicIp,
  taskDefinitionAwslogs,
  taskDefinitionAwsvpcNetworkMode,
  taskDefinitionHealthCheck,
  taskDefinitionImagePinned,
  taskDefinitionNoSecretsInEnvironment,
  taskDefinitionNonRootUser,
  taskDefinitionNotPrivileged,
  taskDefinitionReadOnlyRootFilesystem,
  repositoryImmutableTags,
  repositoryLifecyclePolicy,
  repositoryScanOnPush,
  instanceAutoMinorVersionUpgrade,
  instanceBackupRetention,
  instanceCopyTagsToSnapshot,
  instanceCustomAdminUsername,
  instanceDeletionProtection,
  instanceEnhancedMonitoring,
  instanceForceSsl,
  instanceIamAuthentication,
  instanceLogExports,
  instanceMultiAz,
  instanceNotPublic,
  instanceStorageEncrypted,
  proxyIamAuth,
  proxyRequireTls,
  planRetention,
  vaultCustomerManagedKey,
  keyRotation,
];
