/**
 * Reads the stack's configuration once: every key of every section (sections.ts) parsed by its
 * schema, held to the environment's floors (environments.ts), checked against the others, and
 * either returned typed or thrown as one `ConfigError` listing every problem, before any resource
 * is declared, so a bad value never half-applies.
 */
import * as pulumi from "@pulumi/pulumi";
import { awsRegions } from "../aws-limits";
import { resolveDomain, type Domain } from "./domain";
import {
  environmentFloors,
  environmentKey,
  environmentRequires,
  environments,
  isEnvironment,
  type Environment,
} from "./environments";
import { gitIn, programRoot, resolveImageTag } from "./image-tag";
import {
  allSettings,
  keys,
  sectionChecks,
  sections,
  type SectionName,
  type SectionValues,
} from "./sections";
import {
  expectedText,
  isOptional,
  type CheckContext,
  type ConfigProblem,
  type Floor,
} from "./setting";
import { closest } from "./suggestions";

/**
 * Whether the stack stores the key encrypted (`secure:` in its file, from `pulumi config set
 * --secret`): the language host lists those keys in PULUMI_CONFIG_SECRET_KEYS, which the SDK's
 * `isConfigSecret` reads (@pulumi/pulumi 3.248.0, runtime/config.js line 72, re-exported by
 * `pulumi.runtime`; marked internal, so absent from the typings).
 */
const { isConfigSecret } = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };

export type { ConfigProblem } from "./setting";

/** What the program gets: every section as its schema infers it, and what the loader derives. */
export interface StackConfig extends Omit<
  SectionValues,
  "identity" | "alerting" | "domain" | "registry"
> {
  environment: Environment;
  project: string;
  stack: string;
  region: string;
  /** The one AWS account this stack may change; the provider refuses credentials of another. */
  accountId: string;
  /** Applied to every taggable resource through the AWS provider's default tags. */
  tags: Record<string, string>;
  alerting: Omit<SectionValues["alerting"], "pagingEndpoint"> & {
    /** The paging service's HTTPS endpoint, kept secret in the state. */
    pagingEndpoint?: pulumi.Output<string>;
  };
  /** The service's own name and its zone; unset (dev only): CloudFront's name. */
  domain: Domain;
  /** `imageTag` resolved (see `resolveImageTag`) when the stack file leaves it out. */
  registry: SectionValues["registry"] & { imageTag: string };
}

/**
 * One line per problem, each starting with where the value came from: `where(key)` names the
 * file (or, offline, the command line) that set it.
 */
export function formatProblems(
  problems: ConfigProblem[],
  where: (key: string | undefined) => string,
): string {
  return problems
    .map(({ key, message }) => `${where(key)}: ${key ? `${key} ` : ""}${message}`)
    .join("\n");
}

/**
 * Thrown for any bad or missing value; the CLI prints its message without a stack trace. The
 * message blames the stack file, where `pulumi config set` and `pulumi up -c` store every value.
 */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(formatProblems(problems, () => file));
    this.name = "ConfigError";
  }
}

/**
 * `<project>-<stack>` starts every name the stacks choose for a resource that must be unique in
 * the account: RDS instance and proxy identifiers, final snapshots, KMS aliases, alarm, log
 * group, WAF, CloudFront policy and log-delivery names. It must satisfy the strictest of them:
 * - RDS identifiers: lowercase letters, digits and hyphens, a letter first, no two hyphens in a
 *   row and none last (terraform-provider-aws `validIdentifier`,
 *   internal/service/rds/validate.go; RDS CreateDBInstance's DBInstanceIdentifier);
 * - CloudWatch Logs delivery destinations: at most 60 characters (PutDeliveryDestination), for
 *   `<project>-<stack>-cdn-logs`, so at most 51 for the prefix.
 */
export const namePrefixRule = {
  pattern: /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/,
  maxLength: 51,
  text: "lowercase letters, digits and single hyphens, starting with a letter",
} as const;

/** What is wrong with the project's name for this stack, as one line; undefined if nothing. */
export function projectNameProblem(project: string, stack: string): string | undefined {
  const prefix = `${project}-${stack}`;
  const rule = namePrefixRule;
  if (!rule.pattern.test(project)) {
    return `name must be ${rule.text} (it starts RDS identifiers and other AWS names), got "${project}"`;
  }
  if (!rule.pattern.test(prefix)) {
    return `the stack name must be ${rule.text} (with the project's name it starts AWS names), got "${stack}"`;
  }
  if (prefix.length > rule.maxLength) {
    return (
      `name "${project}" is too long: "${prefix}" (the project and stack names) must be at ` +
      `most ${rule.maxLength} characters, it starts AWS names of at most 60, got ${prefix.length}`
    );
  }
  return undefined;
}

/** More missing keys than this are reported as one line: the file is not a copy of one. */
const maxMissingListed = 3;

/** The value is below the environment's floor: a smaller number, a switch off, a weaker choice. */
function belowFloor(value: unknown, floor: Floor, choices: readonly string[] | undefined) {
  if (typeof floor === "number") return (value as number) < floor;
  if (typeof floor === "boolean") return floor && value !== true;
  return choices!.indexOf(value as string) < choices!.indexOf(floor);
}

/**
 * Reads and checks the current stack's configuration. Throws a `ConfigError` that names each bad
 * key, the stack file it belongs in, and what is expected.
 */
export function loadConfig(): StackConfig {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const file = `Pulumi.${stack}.yaml`;
  const nameProblem = projectNameProblem(project, stack);
  if (nameProblem) throw new ConfigError("Pulumi.yaml", [{ message: nameProblem }]);

  const env = environmentOf(project, stack, file);
  const all = Object.keys(pulumi.runtime.allConfig());
  if (!all.some((k) => k.startsWith(`${project}:`) || k === "aws:region")) {
    // A stack without a file (`pulumi stack init` alone) would otherwise get one line per key.
    throw new ConfigError(file, [
      {
        message:
          `sets none of the ${project}: keys nor aws:region (is the file missing or empty?); ` +
          `start from a copy of Pulumi.staging.yaml`,
      },
    ]);
  }
  const problems: ConfigProblem[] = [];
  const values = Object.fromEntries(Object.keys(sections).map((s) => [s, {}])) as {
    [S in SectionName]: Record<string, unknown>;
  };

  const raw = new pulumi.Config(project);
  const missing: string[] = [];
  for (const { section, field, schema, meta } of allSettings) {
    const full = `${project}:${meta.key}`;
    const floor = environmentFloors[env][meta.key];
    const expected = expectedText(meta, floor, env);
    const optional = isOptional(schema);
    const text = raw.get(meta.key);
    // An optional key set to "" (`pulumi config set domainName ""`) means the same as unset.
    const input = optional && text?.trim() === "" ? undefined : text;
    if (meta.secret && input !== undefined && !isConfigSecret(full)) {
      problems.push({
        key: full,
        message:
          `is a secret but the stack file holds it in plain text: ` +
          `pulumi config set --secret ${meta.key} <value>`,
      });
      continue;
    }
    // A secret is never repeated, not even a wrong one (it may be right but for a typo).
    const got = meta.secret ? " (the value is not shown: it is a secret)" : `, got "${text}"`;
    const parsed = schema.safeParse(input);
    if (!parsed.success && input === undefined) missing.push(full);
    if (!parsed.success) {
      problems.push({
        key: full,
        message: input === undefined ? `is required: ${expected}` : `must be ${expected}${got}`,
      });
    } else if (parsed.data === undefined && meta.key in environmentRequires[env]) {
      problems.push({
        key: full,
        message: `is required in ${env}: ${expected}${environmentRequires[env][meta.key]}`,
      });
    } else if (
      floor !== undefined &&
      belowFloor(parsed.data, floor, (schema as { options?: string[] }).options)
    ) {
      problems.push({ key: full, message: `must be ${expected}${got}` });
    } else {
      values[section][field] = parsed.data;
    }
  }
  if (missing.length > maxMissingListed) {
    // A stack file written from scratch (or by `pulumi new` for a stack without one) holds a few
    // keys; a line for each of the thirty it lacks would bury the one thing to do.
    const listed = new Set(missing);
    problems.splice(0, problems.length, ...problems.filter((p) => !listed.has(p.key!)), {
      message:
        `leaves out ${missing.length} keys every stack file sets (${missing.join(", ")}); ` +
        `start from a copy of Pulumi.${env}.yaml`,
    });
  }
  problems.push(...unknownKeys(project));

  const region = new pulumi.Config("aws").get("region");
  if (region === undefined) {
    problems.push({ key: "aws:region", message: "is required: an AWS region such as eu-west-1" });
  } else if (!awsRegions.includes(region)) {
    const near = closest(region, awsRegions);
    problems.push({
      key: "aws:region",
      message:
        `must be a region the AWS provider knows, such as eu-west-1, got "${region}"` +
        (near ? `; did you mean ${near}?` : ""),
    });
  }

  const context: CheckContext = {
    env,
    region,
    accountId: values.identity.accountId as string | undefined,
    key: (name) => `${project}:${name}`,
  };
  for (const [section, check] of Object.entries(sectionChecks)) {
    problems.push(
      ...(check as (v: unknown, c: CheckContext) => ConfigProblem[])(
        values[section as SectionName],
        context,
      ),
    );
  }

  let imageTag = values.registry.imageTag as string | undefined;
  if (imageTag === undefined) {
    try {
      imageTag = resolveImageTag(process.env, gitIn(programRoot), programRoot);
    } catch (err) {
      problems.push({
        key: `${project}:imageTag`,
        message: `is required here: ${(err as Error).message}`,
      });
    }
  }

  if (problems.length > 0) throw new ConfigError(file, problems);

  const v = values as unknown as SectionValues;
  return {
    environment: env,
    project,
    stack,
    region: region!,
    accountId: v.identity.accountId,
    tags: {
      environment: env,
      project,
      "managed-by": "pulumi",
      owner: v.identity.owner,
      "cost-center": v.identity.costCenter,
    },
    alerting: {
      ...v.alerting,
      pagingEndpoint:
        v.alerting.pagingEndpoint === undefined
          ? undefined
          : pulumi.secret(v.alerting.pagingEndpoint),
    },
    domain: resolveDomain(v.domain),
    network: v.network,
    service: v.service,
    registry: { ...v.registry, imageTag: imageTag! },
    loadBalancer: v.loadBalancer,
    cdn: v.cdn,
    database: v.database,
    backup: v.backup,
  };
}

/**
 * The environment whose floors a stack takes: its `environment` key, or else the
 * stack's own name. So a short-lived stack (`pr-123`, with `environment: dev`) needs no code.
 */
function environmentOf(project: string, stack: string, file: string): Environment {
  const named = new pulumi.Config(project).get(environmentKey);
  if (named !== undefined) {
    if (isEnvironment(named)) return named;
    throw new ConfigError(file, [
      {
        key: `${project}:${environmentKey}`,
        message: `must be one of ${environments.join(", ")}, got "${named}"`,
      },
    ]);
  }
  if (isEnvironment(stack)) return stack;
  throw new ConfigError(file, [
    {
      message:
        `stack "${stack}" is not a known environment; set ${project}:${environmentKey} to one of ` +
        `${environments.join(", ")} to give it that environment's floors, or add the environment ` +
        `and its floors to infra/config/environments.ts`,
    },
  ]);
}

/**
 * A mistyped key, or a key left under the template's namespace after the project was renamed,
 * would otherwise be ignored silently and the default used instead.
 */
function unknownKeys(project: string): ConfigProblem[] {
  const known: string[] = [environmentKey, ...keys];
  const problems: ConfigProblem[] = [];
  for (const full of Object.keys(pulumi.runtime.allConfig())) {
    const [namespace, key] = full.split(":", 2);
    if (namespace === project && !known.includes(key)) {
      const near = closest(key, known);
      const hint = near ? `did you mean ${project}:${near}?` : `known keys: ${known.join(", ")}`;
      problems.push({ key: full, message: `is not a known key; ${hint}` });
    } else if (namespace !== project && known.includes(key)) {
      problems.push({
        key: full,
        message:
          `is under namespace "${namespace}" but the project is named ` +
          `"${project}" (Pulumi.yaml); rename the key to ${project}:${key}`,
      });
    }
  }
  return problems;
}
