/** S3 buckets and the separate resources that configure them (provider v7 splits them out). */
import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { ofType, prop, refersTo, type ResourceClass } from "./stack";

export const isBucket = (r: PolicyResource) => r.isType(aws.s3.Bucket) || r.isType(aws.s3.BucketV2);

/** The resources of the given classes whose `bucket` names `bucket`. */
export function companions(
  bucket: PolicyResource,
  resources: PolicyResource[],
  classes: ResourceClass[],
): PolicyResource[] {
  return ofType(resources, ...classes).filter((r) => refersTo(r, "bucket", bucket));
}

/** Whether versioning is on: inline (`versioning.enabled`) or through an aws.s3.BucketVersioning. */
export function isVersioned(bucket: PolicyResource, resources: PolicyResource[]): boolean {
  return (
    prop<{ enabled?: boolean }>(bucket, "versioning")?.enabled === true ||
    companions(bucket, resources, [aws.s3.BucketVersioning, aws.s3.BucketVersioningV2]).some(
      (v) => prop<{ status?: string }>(v, "versioningConfiguration")?.status === "Enabled",
    )
  );
}
