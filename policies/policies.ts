/**
 * Every policy of the pack, by area. Enforcement per environment is in config/<stack>.json; the
 * docs/policy-pack.md's policy table says what each one blocks and how to fix it, docs/quality-gate.md which
 * item each enforces.
 *
 * Resource types: a policy names the types it checks only through @pulumi/aws classes
 * (`validateResourceOfType(aws.lb.Listener, …)`, `resource.isType(aws.lb.Listener)`), so the
 * tokens are those of the installed @pulumi/aws; any type token written as a string
 * ("aws:lb/listener:Listener") is checked by test/resource-types.spec.ts against the tokens that
 * @pulumi/aws defines, as are the classes each policy file uses.
 */
import type { Policies } from "@pulumi/policy";
import * as acm from "./acm";
import * as backup from "./backup";
import * as cloudfront from "./cloudfront";
import * as cloudwatch from "./cloudwatch";
import * as ec2 from "./ec2";
import * as ecr from "./ecr";
import * as ecs from "./ecs";
import * as elb from "./elb";
import * as iam from "./iam";
import * as kms from "./kms";
import * as rds from "./rds";
import * as s3 from "./s3";
import * as secretsmanager from "./secretsmanager";
import * as sns from "./sns";
import * as stack from "./stack";
import { requiredTags } from "./tagging";
import * as wafv2 from "./wafv2";

export const policies: Policies = [
  ec2.securityGroupPublicIngress,
  ec2.securityGroupUnrestrictedEgress,
  ec2.vpcFlowLogs,
  cloudwatch.logGroupRetention,
  requiredTags,
  // Compute and data: ECS, ECR, RDS, Backup, KMS, Secrets Manager, IAM.
  ecs.clusterContainerInsights,
  ecs.serviceDeploymentCircuitBreaker,
  ecs.serviceFargatePlatformVersion,
  ecs.serviceMinimumHealthyPercent,
  ecs.serviceNoPublicIp,
  ecs.taskDefinitionAwslogs,
  ecs.taskDefinitionAwsvpcNetworkMode,
  ecs.taskDefinitionDropAllCapabilities,
  ecs.taskDefinitionHealthCheck,
  ecs.taskDefinitionImagePinned,
  ecs.taskDefinitionNoHostNamespaces,
  ecs.taskDefinitionNoSecretsInEnvironment,
  ecs.taskDefinitionNonRootUser,
  ecs.taskDefinitionNotPrivileged,
  ecs.taskDefinitionReadOnlyRootFilesystem,
  ecr.repositoryImmutableTags,
  ecr.repositoryLifecyclePolicy,
  ecr.repositoryScanOnPush,
  rds.instanceAutoMinorVersionUpgrade,
  rds.instanceBackupRetention,
  rds.instanceCopyTagsToSnapshot,
  rds.instanceCustomAdminUsername,
  rds.instanceDeletionProtection,
  rds.instanceEnhancedMonitoring,
  rds.instanceForceSsl,
  rds.instanceIamAuthentication,
  rds.instanceLogExports,
  rds.instanceMultiAz,
  rds.instanceNotPublic,
  rds.instanceStorageEncrypted,
  rds.proxyIamAuth,
  rds.proxyRequireTls,
  backup.planRetention,
  backup.vaultCustomerManagedKey,
  backup.vaultLock,
  kms.keyRotation,
  secretsmanager.secretRotation,
  iam.policyNoWildcardActions,
  iam.policyWriteActionsScoped,
  iam.servicePrincipalSourceConditions,
  iam.resourcePolicyNotPublic,
  // Edge, storage, alerting and whole-stack policies.
  elb.listenerTlsPolicy,
  elb.httpListenerRedirect,
  elb.dropInvalidHeaderFields,
  elb.desyncMitigation,
  elb.accessLogs,
  elb.deletionProtection,
  elb.targetGroupHealthCheck,
  cloudfront.viewerHttps,
  cloudfront.minimumTls,
  cloudfront.originHttps,
  cloudfront.s3OriginAccessControl,
  cloudfront.waf,
  cloudfront.logging,
  cloudfront.defaultRootObject,
  cloudfront.hsts,
  acm.certificateDnsValidation,
  wafv2.managedRuleGroups,
  wafv2.rateLimit,
  wafv2.logging,
  s3.publicAccessBlock,
  s3.encryption,
  s3.staticVersioning,
  s3.tlsOnly,
  s3.logLifecycle,
  sns.topicEncryption,
  cloudwatch.alarmActions,
  cloudwatch.alarmMissingData,
  cloudwatch.alarmDescription,
  stack.alertTable,
  stack.databaseBackup,
  stack.dashboard,
  stack.cdn,
  stack.taskLogGroups,
  stack.securityGroupGraph,
];
