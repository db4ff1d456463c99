import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** The newest Linux Fargate platform version; "LATEST" always resolves to it. */
const current = [1, 4, 0];

function atLeastCurrent(version: string): boolean {
  const parts = version.split(".").map(Number);
  if (parts.some(Number.isNaN)) return false;
  for (let i = 0; i < current.length; i++) {
    const part = parts[i] ?? 0;
    if (part !== current[i]) return part > current[i];
  }
  return true;
}

/** Fargate services run on the latest platform version. */
export const serviceFargatePlatformVersion: ResourceValidationPolicy = {
  name: "ecs-service-fargate-platform-version",
  description:
    "FSBP ECS.10: Fargate services run on platform version LATEST or 1.4.0 (the latest for " +
    "Linux), which carries the current security patches.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
    const onFargate =
      service.launchType === "FARGATE" ||
      (service.capacityProviderStrategies ?? []).some((s) =>
        s.capacityProvider.startsWith("FARGATE"),
      );
    const version = service.platformVersion;
    if (!onFargate || version === undefined || version === "LATEST") return;
    if (!atLeastCurrent(version)) {
      report(`platformVersion is "${version}": set "LATEST" or "${current.join(".")}".`);
    }
  }),
};
