/**
 * The containers of an ECS task definition. `containerDefinitions` is a JSON string; during a
 * preview it is unknown while the image digest is, and reading it then throws the SDK's
 * `UnknownValueError`, which the SDK turns into an advisory "can't run ... during preview" note
 * instead of a pass or a failure.
 */
import type { ReportViolation } from "@pulumi/policy";
import { notChecked, parseJson } from "./report";

export interface ContainerDefinition {
  name?: string;
  image?: string;
  user?: string;
  essential?: boolean;
  privileged?: boolean;
  readonlyRootFilesystem?: boolean;
  healthCheck?: { command?: string[] };
  logConfiguration?: { logDriver?: string; options?: Record<string, string> };
  environment?: { name?: string; value?: string }[];
  linuxParameters?: { capabilities?: { add?: string[]; drop?: string[] } };
}

/**
 * The parsed containers. A document that is not a JSON list of containers has none to check:
 * that is said as "not checked" (the provider would reject it, but the gate must not pass it in
 * silence before it does).
 */
export function containersOf(
  taskDefinition: { containerDefinitions: string },
  report: ReportViolation,
): ContainerDefinition[] {
  // Read before parsing: an unknown value must throw through to the SDK.
  const text = taskDefinition.containerDefinitions;
  const parsed = parseJson(text);
  if ("error" in parsed || !Array.isArray(parsed.value)) {
    notChecked(
      report,
      "containerDefinitions is not a JSON list of containers" +
        ("error" in parsed ? ` (${parsed.error})` : ""),
    );
    return [];
  }
  return parsed.value as ContainerDefinition[];
}

/** `container "app"`, for the start of a violation message. */
export function containerLabel(container: ContainerDefinition): string {
  return `container "${container.name ?? "(unnamed)"}"`;
}
