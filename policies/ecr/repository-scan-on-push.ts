import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Every image pushed to a repository is scanned for vulnerabilities. */
export const repositoryScanOnPush: ResourceValidationPolicy = {
  name: "ecr-repository-scan-on-push",
  description:
    "FSBP ECR.1 and security stage 'scan container image': repositories scan every image " +
    "on push.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecr.Repository, (repository, _args, report) => {
    if (repository.imageScanningConfiguration?.scanOnPush !== true) {
      report(
        "images are not scanned on push: set imageScanningConfiguration {scanOnPush: true} " +
          "(basic scanning is free).",
      );
    }
  }),
};
