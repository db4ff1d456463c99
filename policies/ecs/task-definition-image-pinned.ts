import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf } from "../lib/container-definitions";

const digest = /@sha256:[0-9a-f]{64}$/;

/** Every container runs an image pinned by digest, never a tag (least of all `latest`). */
export const taskDefinitionImagePinned: ResourceValidationPolicy = {
  name: "ecs-task-definition-image-pinned",
  description:
    "Container checklist 'specific image version (not latest)': every container's image is " +
    "<repository>@sha256:<digest>, so a task runs exactly the image that was built and scanned.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const container of containersOf(definition, report)) {
      const image = container.image ?? "";
      if (digest.test(image)) continue;
      const latest = image.endsWith(":latest") || !/[:@]/.test(image.split("/").pop() ?? "");
      report(
        `${containerLabel(container)}: image "${image}" ` +
          (latest
            ? "is the latest tag, a different image after every push"
            : "is not pinned by digest") +
          ": run <repository>@sha256:<digest> (the Registry component's imageRef).",
      );
    }
  }),
};
