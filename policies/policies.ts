/**
 * Every policy of the pack, by area. Enforcement per environment is in config/<stack>.json.
 *
 * | policy | level | what is wrong | why it matters | fix |
 * | --- | --- | --- | --- | --- |
 * | ec2-security-group-public-ingress | mandatory | a port other than 80/443 open to 0.0.0.0/0 or ::/0 | exposes tasks or the database to the internet | route through the ALB; SSM for shell access |
 * | ec2-vpc-flow-logs | mandatory | a VPC without a flow log of ALL traffic | no record of traffic for an incident | add an aws.ec2.FlowLog |
 * | cloudwatch-log-group-retention | mandatory | a log group kept forever or below `minimumDays` | unbounded cost, or evidence gone too soon | set retentionInDays |
 * | tagging-required-tags | mandatory | an AWS resource without the required tags | cost and ownership reports miss it | use the stack's tagged provider |
 * | ecs-task-definition-image-pinned | mandatory | an image by tag, not digest | a tag can point at other bytes later | run <repo>@sha256:<digest> |
 * | ecs-task-definition-non-root-user | mandatory | no user, or root | a breakout starts as root | user 1000:1000 |
 * | ecs-task-definition-read-only-root-filesystem | mandatory | writable root filesystem | an intruder can change the code | readonlyRootFilesystem, a /tmp volume |
 * | ecs-task-definition-not-privileged | mandatory | privileged container | root on the host | remove privileged |
 * | ecs-task-definition-health-check | mandatory | essential container without healthCheck | a hung task keeps receiving traffic | healthCheck.command |
 * | ecs-task-definition-awslogs | mandatory | logs not sent with awslogs to a group | no logs to investigate with | awslogs driver and group |
 * | ecs-task-definition-no-secrets-in-environment | mandatory | a secret-looking environment variable | readable by anyone who can describe the task | secrets from Secrets Manager/SSM |
 * | ecs-task-definition-no-host-namespaces | mandatory | pidMode or ipcMode host | a container sees the host's processes | remove them |
 * | ecs-task-definition-awsvpc-network-mode | mandatory | networkMode other than awsvpc | tasks share the host's network | networkMode awsvpc |
 * | ecs-service-no-public-ip | mandatory | assignPublicIp | tasks reachable from the internet | private subnets |
 * | ecs-service-deployment-circuit-breaker | mandatory | no rollback on failed deployment | a bad release stays half-deployed | circuit breaker with rollback |
 * | ecs-service-minimum-healthy-percent | mandatory | minimum healthy below 100% | deployments drop capacity | 100 (max 200) |
 * | ecs-service-fargate-platform-version | mandatory | Fargate platform below 1.4.0 | missing security patches | LATEST or 1.4.0 |
 * | ecs-cluster-container-insights | mandatory | Container Insights off | no container health metrics | containerInsights enabled |
 * | ecr-repository-scan-on-push | mandatory | no scan on push | vulnerable images go unnoticed | scanOnPush |
 * | ecr-repository-immutable-tags | mandatory | mutable tags | a tag can be replaced by another image | IMMUTABLE (or with a narrow exclusion) |
 * | ecr-repository-lifecycle-policy | mandatory | no lifecycle policy | images accumulate cost | aws.ecr.LifecyclePolicy |
 * | rds-instance-storage-encrypted | mandatory | unencrypted storage | data readable from disks and snapshots | storageEncrypted with a KMS key |
 * | rds-instance-not-public | mandatory | publicly accessible | database endpoint on the internet | publiclyAccessible false |
 * | rds-instance-backup-retention | mandatory (minimum per env) | backups off or below minimumDays | recovery window too short | backupRetentionPeriod |
 * | rds-instance-deletion-protection | mandatory; advisory in dev/staging | no deletion protection | one command deletes the data | deletionProtection |
 * | rds-instance-multi-az | mandatory; advisory in dev/staging | single-AZ | an AZ failure takes the database down | multiAz |
 * | rds-instance-enhanced-monitoring | mandatory | Enhanced Monitoring off | no OS metrics to diagnose with | monitoringInterval and role |
 * | rds-instance-auto-minor-version-upgrade | mandatory | auto minor upgrade off | security fixes never applied | autoMinorVersionUpgrade |
 * | rds-instance-copy-tags-to-snapshot | mandatory | tags not copied to snapshots | orphan snapshots unattributable | copyTagsToSnapshot |
 * | rds-instance-log-exports | mandatory | engine logs not exported | slow queries and errors unseen | enabledCloudwatchLogsExports |
 * | rds-instance-custom-admin-username | mandatory | default master username | first name guessed | another username |
 * | rds-instance-force-ssl | mandatory | rds.force_ssl not 1 | plain-text connections accepted | parameter group rds.force_ssl 1 |
 * | rds-instance-iam-authentication | mandatory | password-only database | long-lived passwords to leak | IAM auth or an IAM-only proxy |
 * | rds-proxy-require-tls | mandatory | proxy without requireTls | plain-text connections accepted | requireTls |
 * | rds-proxy-iam-auth | mandatory | proxy auth without IAM REQUIRED | clients may use passwords | iamAuth REQUIRED |
 * | backup-vault-customer-managed-key | mandatory | vault on the AWS-managed key | key not under the account's control | kmsKeyArn of a CMK |
 * | backup-plan-retention | mandatory (minimum per env) | recovery points forever or below minimumDays | unbounded cost, or too short history | lifecycle.deleteAfter |
 * | kms-key-rotation | mandatory | symmetric key without rotation | one key material forever | enableKeyRotation |
 * | secretsmanager-secret-rotation | mandatory | a declared secret without rotation | a leaked secret stays valid | aws.secretsmanager.SecretRotation |
 * | iam-policy-no-wildcard-actions | mandatory | an Allow of "*", "svc:*" or NotAction | roles get more than they need | list the actions |
 */
import type { Policies } from "@pulumi/policy";
import { logGroupRetention } from "./cloudwatch";
import { securityGroupPublicIngress, vpcFlowLogs } from "./ec2";
import { requiredTags } from "./tagging";
// Compute and data: ECS, ECR, RDS, Backup, KMS, Secrets Manager, IAM.
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
  taskDefinitionNoHostNamespaces,
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
import { secretRotation } from "./secretsmanager";
import { policyNoWildcardActions } from "./iam";

export const policies: Policies = [
  securityGroupPublicIngress,
  vpcFlowLogs,
  logGroupRetention,
  requiredTags,
  // Compute and data: ECS, ECR, RDS, Backup, KMS, Secrets Manager, IAM.
  clusterContainerInsights,
  serviceDeploymentCircuitBreaker,
  serviceFargatePlatformVersion,
  serviceMinimumHealthyPercent,
  serviceNoPublicIp,
  taskDefinitionAwslogs,
  taskDefinitionAwsvpcNetworkMode,
  taskDefinitionHealthCheck,
  taskDefinitionImagePinned,
  taskDefinitionNoHostNamespaces,
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
  secretRotation,
  policyNoWildcardActions,
];
