/**
 * `npm run preflight -- --stack NAME`
 *
 * The pre-production checklist of docs/quality-gate.md, as checks over the stack's file: its configuration as
 * infra/config/ reads it (the same loader `pulumi up` runs), its secrets, alert subscriptions,
 * domain and certificate settings, off-site backups in prod, the quality gate's settings and the
 * runbooks. Offline: no AWS, no Pulumi CLI. Lists every check and what is missing; exits 1 if a
 * required check fails. The deploy workflow runs it before each `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ConfigError, loadConfig, type StackConfig } from "../infra/config";
import { projectName, repoRoot, stackConfig } from "./offline/harness";
import { PolicyConfigError, stackPolicyConfig } from "./offline/policy-config";
import { checkStackName, exitCodes, parseCommandLine, runScript } from "./ops/cli";
import { readStackFile } from "./ops/stack";

export const usage = `usage: npm run preflight -- --stack NAME

Checks Pulumi.<NAME>.yaml against the pre-production checklist (offline, no AWS).
Exit code: 0 every required check passed, 1 something is missing, 2 bad arguments.`;

export interface Check {
  name: string;
  ok: boolean;
  /** Advisory checks are printed but do not fail the run. */
  required: boolean;
  /** What is missing (failed) or what was found (passed). */
  detail: string;
}

/** The stack's configuration as the CLI hands it to the program, plus each secret's raw value. */
export interface StackSource {
  stack: string;
  file: string;
  project: string;
  config: Record<string, string>;
  secretKeys: string[];
  /** `secure:` ciphertext per key, as written in the file (empty: never set). */
  secureValues: Record<string, string>;
}

export function readStack(stack: string): StackSource {
  const { config, secretKeys } = stackConfig(stack);
  const project = projectName();
  const file = `Pulumi.${stack}.yaml`;
  const raw = parse(readFileSync(join(repoRoot, file), "utf8")) as {
    config: Record<string, unknown>;
  };
  const secureValues: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw.config)) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      const ciphertext = (value as { secure: unknown }).secure;
      secureValues[key.includes(":") ? key : `${project}:${key}`] =
        typeof ciphertext === "string" ? ciphertext.trim() : "";
    }
  }
  return { stack, file, project, config, secretKeys, secureValues };
}

/**
 * Account ids the template and AWS's documentation use as examples: a deploy with one of them
 * would be refused by the provider's account guard, or worse, reach someone else's account.
 */
export function isPlaceholderAccount(id: string): boolean {
  return /^(\d)\1{11}$/.test(id) || ["123456789012", "012345678901"].includes(id);
}

/** Names reserved for documentation and testing (RFC 2606, RFC 6761): never a real recipient. */
export function isPlaceholderDomain(name: string): boolean {
  const host = name.toLowerCase().replace(/^.*@/, "");
  return (
    /(^|\.)example\.(com|net|org)$/.test(host) ||
    /\.(example|test|invalid|localhost)$/.test(host) ||
    ["example", "test", "invalid", "localhost"].includes(host)
  );
}

/** Config key names that say their value is a secret, which must then be `secure:`. */
const secretLike = /(password|passwd|secret|token|api[-_]?key|private[-_]?key|credential)/i;

/** The runbooks the quality gate's checklist asks for, which the alarms link to. */
const runbooks = ["deployment.md", "rollback.md", "database-recovery.md", "incident-response.md"];

/** Runs infra/config/'s loader over the stack's values, as `pulumi up` would. */
function load(source: StackSource): StackConfig {
  pulumi.runtime.resetOptions(source.project, source.stack, 1, "", "", false, "");
  pulumi.runtime.setAllConfig(source.config, source.secretKeys);
  return loadConfig();
}

export function preflight(source: StackSource): Check[] {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string, required = true) =>
    checks.push({ name, ok, required, detail });

  let config: StackConfig | undefined;
  try {
    config = load(source);
    check("configuration", true, `valid for environment ${config.environment}`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) {
      check("configuration", false, `${problem.key ? `${problem.key} ` : ""}${problem.message}`);
    }
  }

  const unset = Object.entries(source.secureValues).filter(([, v]) => v === "");
  check(
    "secrets set",
    unset.length === 0,
    unset.length === 0
      ? `${Object.keys(source.secureValues).length} secret(s) in the stack file, all set`
      : `no value for ${unset.map(([k]) => k).join(", ")}: pulumi config set --secret <key> <value> --stack ${source.stack}`,
  );
  const plain = Object.keys(source.config).filter(
    (k) => secretLike.test(k.split(":")[1] ?? k) && !source.secretKeys.includes(k),
  );
  check(
    "no secret in plain text",
    plain.length === 0,
    plain.length === 0
      ? "no plain value under a secret-looking key"
      : `${plain.join(", ")} stored in plain text: set it again with pulumi config set --secret`,
  );

  if (!config) {
    check("the remaining checks", false, "not run: fix the configuration first");
    return checks;
  }
  const key = (name: string) => `${config.project}:${name}`;
  const prod = config.environment === "prod";

  check(
    "AWS account",
    !isPlaceholderAccount(config.accountId),
    isPlaceholderAccount(config.accountId)
      ? `${key("accountId")} ${config.accountId} is a placeholder: set the account this stack deploys to`
      : `account ${config.accountId}`,
  );

  const placeholders = config.alerting.emails.filter(isPlaceholderDomain);
  check(
    "alert subscription",
    placeholders.length === 0,
    placeholders.length > 0
      ? `${key("alertEmail")} ${placeholders.join(", ")} reaches nobody: set the team's addresses (and confirm the subscription email AWS sends)`
      : `alarms go to ${config.alerting.emails.join(", ")}`,
  );

  check(
    "paging",
    config.alerting.pagingEndpoint !== undefined,
    config.alerting.pagingEndpoint !== undefined
      ? "critical and high alerts page through pagingEndpoint"
      : `no ${key("pagingEndpoint")}: the page topic e-mails the team instead` +
          (prod
            ? "; production should page (pulumi config set --secret pagingEndpoint <url>)"
            : ""),
    // A warning: the page topic still reaches people by e-mail.
    false,
  );

  // The loader refuses a stack without a domain outside dev: only dev gets here without one.
  if (config.domain === undefined) {
    check(
      "DNS and certificate",
      false,
      `no ${key("domainName")}: the service is reached only at AWS-generated names`,
      false,
    );
  } else {
    const { name: domain, hostedZoneName: zone } = config.domain;
    const placeholder = isPlaceholderDomain(domain) || isPlaceholderDomain(zone);
    check(
      "DNS and certificate",
      !placeholder,
      placeholder
        ? `${key("domainName")} ${domain} (zone ${zone}) is a reserved example name: set your own`
        : `${domain}: certificate validated in the Route 53 zone ${zone}, which must exist in the account`,
    );
  }

  const copy = config.backup.copyRegion;
  check(
    "off-site backups",
    !prod || (copy !== undefined && copy !== config.region),
    copy
      ? `recovery points copied from ${config.region} to ${copy}`
      : `no ${key("backupCopyRegion")}: recovery points stay in ${config.region}`,
    prod,
  );

  const defaults = [
    [key("owner"), config.tags.owner, "platform-team"],
    [key("costCenter"), config.tags["cost-center"], "cc-0000"],
  ].filter(([, value, template]) => value === template);
  check(
    "cost allocation tags",
    defaults.length === 0,
    defaults.length === 0
      ? `owner ${config.tags.owner}, cost centre ${config.tags["cost-center"]}`
      : `${defaults.map(([k, v]) => `${k} ${v}`).join(", ")} still the template's value`,
    false,
  );

  try {
    stackPolicyConfig(config.environment);
    check("quality gate settings", true, `policies/config/${config.environment}.json is valid`);
  } catch (err) {
    if (!(err instanceof PolicyConfigError)) throw err;
    check("quality gate settings", false, err.message);
  }

  const missing = runbooks.filter((f) => !existsSync(join(repoRoot, "docs", "runbooks", f)));
  check(
    "runbooks",
    missing.length === 0,
    missing.length === 0
      ? `docs/runbooks/: ${runbooks.join(", ")}`
      : `missing docs/runbooks/${missing.join(", docs/runbooks/")}`,
  );
  return checks;
}

/** One line per check, then the verdict. */
export function report(source: StackSource, checks: Check[]): string {
  const lines = checks.map(
    (c) => `  ${c.ok ? "ok  " : c.required ? "FAIL" : "warn"}  ${c.name}: ${c.detail}`,
  );
  const failed = checks.filter((c) => !c.ok && c.required).length;
  const verdict =
    failed === 0
      ? `ready: every required check passed`
      : `${failed} required check(s) failed: fix them in ${source.file} before deploying`;
  return [`preflight ${source.stack} (${source.file})`, ...lines, verdict].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv, { stack: { type: "string", short: "s" } }, ["stack"], usage);
  if (!args) return exitCodes.ok;
  const source = readStackFile(() => readStack(checkStackName(args.stack!)));
  const checks = preflight(source);
  console.log(report(source, checks));
  return checks.some((c) => !c.ok && c.required) ? exitCodes.failed : exitCodes.ok;
}

if (require.main === module) runScript(main, usage);
