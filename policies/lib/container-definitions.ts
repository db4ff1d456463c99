/**
 * The containers of an ECS task definition. `containerDefinitions` is a JSON string; during a
 * preview it is unknown while the image digest is, and reading it then throws the SDK's
 * `UnknownValueError`, which the SDK turns into an advisory "can't run ... during preview" note
 * instead of a pass or a failure.
 */
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
}

/** The parsed containers; none when the JSON is malformed (the provider rejects that itself). */
export function containersOf(taskDefinition: {
  containerDefinitions: string;
}): ContainerDefinition[] {
  // Read outside the try: an unknown value must throw through to the SDK.
  const text = taskDefinition.containerDefinitions;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  return Array.isArray(parsed) ? (parsed as ContainerDefinition[]) : [];
}

/** `container "app"`, for the start of a violation message. */
export function containerLabel(container: ContainerDefinition): string {
  return `container "${container.name ?? "(unnamed)"}"`;
}
