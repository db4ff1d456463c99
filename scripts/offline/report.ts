/**
 * What the gate tells people and machines: the pack's diagnostics grouped by policy for a
 * terminal, the same as JSON (`--json`), and as SARIF 2.1.0 for GitHub code scanning (`--sarif`),
 * each violation placed on the line of `infra/` that declared the resource, with the program's own
 * call sites that led there (a helper's callers), where a change to that one resource is made.
 */
import { createHash } from "node:crypto";
import type { Log, ReportingDescriptor, Result } from "sarif";
import type { RegisteredResource, SourceLocation } from "./harness";
import type { Diagnostic, PackListing } from "./policy-host";

/** What was checked: the program for a stack (as deployed or as previewed), or an export file. */
export type Subject =
  | { kind: "program"; stack: string; preview: boolean }
  | { kind: "export"; file: string; stack?: string };

export interface Violation {
  pack: string;
  packVersion: string;
  policy: string;
  level: Diagnostic["level"];
  message: string;
  /** The resource reported; none for a stack policy that names no resource. */
  resource?: { urn: string; name: string; type: string };
  /** The line of `infra/` that declared the resource (or its component), when the program ran. */
  location?: Omit<SourceLocation, "calledFrom">;
  /**
   * The lines of `infra/` that led to `location`, innermost first, up to the constructor of the
   * component that made the resource: a resource built by a shared helper is declared on the
   * helper's line, and changed on the line calling it. Absent when there are none.
   */
  calledFrom?: Omit<SourceLocation, "calledFrom">[];
}

/** `--json`: the document's shape is `GateReport`, described in docs/policy-pack.md. */
export interface GateReport {
  /** Bumped on any change a consumer of the JSON must know about. */
  schemaVersion: 1;
  subject: Subject;
  /** The `--policy-pack-config` file applied, relative to the repository root. */
  policyConfig: string;
  resourceCount: number;
  violations: Violation[];
  /** Checks a policy could not make because a value it reads is unknown (preview, encrypted secret). */
  notChecked: Violation[];
  summary: { mandatory: number; advisory: number; notChecked: number };
  /** 1 when a mandatory violation blocks the change, else 0. */
  exitCode: 0 | 1;
}

/** How the SDK reports a policy it could not run because a value is unknown (policy/server.ts). */
/**
 * A check that could not decide: the SDK's own message for a value unknown until creation, or a
 * policy's "not checked: <reason>" for a shape it does not understand (policies/lib/report.ts).
 */
const undecided =
  /^(can't run policy '[^']*' from policy pack '[^']*' during preview: |not checked: )/;

export function buildReport(
  subject: Subject,
  policyConfig: string,
  resources: RegisteredResource[],
  diagnostics: Diagnostic[],
  declaredAt: Map<string, SourceLocation> = new Map(),
): GateReport {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const located = (urn: string): SourceLocation | undefined => {
    // A resource declared outside infra/ (none today) takes its nearest ancestor's line.
    for (let at: string | undefined = urn; at; at = byUrn.get(at)?.parent) {
      const location = declaredAt.get(at);
      if (location) return location;
    }
    return undefined;
  };
  const all: Violation[] = diagnostics
    .map((d) => {
      const resource = byUrn.get(d.urn);
      const declared = resource ? located(resource.urn) : undefined;
      const calledFrom = (declared?.calledFrom ?? []).map(position);
      return {
        pack: d.pack,
        packVersion: d.packVersion,
        policy: d.policy,
        level: d.level,
        message: d.message,
        ...(resource
          ? { resource: { urn: resource.urn, name: resource.name, type: resource.type } }
          : {}),
        ...(declared ? { location: position(declared) } : {}),
        ...(calledFrom.length > 0 ? { calledFrom } : {}),
      };
    })
    .sort(
      (a, b) =>
        rank(a.level) - rank(b.level) ||
        a.policy.localeCompare(b.policy) ||
        (a.resource?.urn ?? "").localeCompare(b.resource?.urn ?? ""),
    );
  const notChecked = all.filter((v) => undecided.test(v.message));
  const violations = all.filter((v) => !notChecked.includes(v));
  const mandatory = violations.filter((v) => v.level === "mandatory").length;
  return {
    schemaVersion: 1,
    subject,
    policyConfig,
    resourceCount: resources.length,
    violations,
    notChecked,
    summary: {
      mandatory,
      advisory: violations.length - mandatory,
      notChecked: notChecked.length,
    },
    exitCode: mandatory > 0 ? 1 : 0,
  };
}

/** A location without its call sites. */
function position({ file, line, column }: SourceLocation): Omit<SourceLocation, "calledFrom"> {
  return { file, line, column };
}

function rank(level: Diagnostic["level"]): number {
  return ["mandatory", "remediate", "advisory", "disabled"].indexOf(level);
}

/** For a terminal: one block per policy, its violations under it, then the summary line. */
export function renderText(report: GateReport): string {
  const lines: string[] = [];
  const groups = new Map<string, Violation[]>();
  for (const v of report.violations) {
    const key = `${v.level}\0${v.pack}\0${v.policy}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  for (const group of groups.values()) {
    const { level, pack, policy } = group[0];
    lines.push(`${level.toUpperCase()}  ${pack}/${policy}  (${count(group.length, "violation")})`);
    for (const v of group) {
      const where = v.location ? `  ${v.location.file}:${v.location.line}` : "";
      lines.push(
        v.resource ? `  ${v.resource.name} (${v.resource.type})${where}` : "  the stack",
        // The helper's callers, innermost first: the line a change to this resource edits.
        ...(v.calledFrom
          ? [`    called from ${v.calledFrom.map((at) => `${at.file}:${at.line}`).join(" <- ")}`]
          : []),
        ...(v.resource ? [`    ${v.resource.urn}`] : []),
        ...v.message.split("\n").map((line) => `    ${line}`),
      );
    }
    lines.push("");
  }
  const { mandatory, advisory, notChecked } = report.summary;
  const skipped =
    notChecked > 0
      ? `; ${count(notChecked, "check")} not decided: unknown values or shapes (see --json)`
      : "";
  lines.push(
    `${report.resourceCount} resources checked against ${report.policyConfig}: ` +
      `${mandatory} mandatory, ${advisory} advisory violation(s)${skipped}`,
  );
  return lines.join("\n");
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

const sarifLevel = {
  mandatory: "error",
  remediate: "error",
  advisory: "warning",
  disabled: "none",
};

/**
 * SARIF 2.1.0 as GitHub code scanning takes it: a rule per policy of the pack, a result per
 * violation at the declaring line (or at `fallbackFile`, line 1, for a violation no line of the
 * program declared: a stack policy, an export), the resource as its logical location.
 */
export function toSarif(report: GateReport, pack: PackListing, fallbackFile: string): Log {
  const rules: ReportingDescriptor[] = pack.policies.map((p) => ({
    id: p.name,
    name: p.name,
    shortDescription: { text: p.description.split("\n")[0] },
    fullDescription: { text: p.description },
    defaultConfiguration: { level: sarifLevel[p.level] as "error" | "warning" | "none" },
  }));
  const physical = (at: Omit<SourceLocation, "calledFrom">) => ({
    artifactLocation: { uri: at.file, uriBaseId: "%SRCROOT%" },
    region: { startLine: at.line, startColumn: at.column },
  });
  const results: Result[] = report.violations.map((v) => {
    const location = v.location ?? { file: fallbackFile, line: 1, column: 1 };
    const calledFrom = v.calledFrom ?? [];
    const text = v.resource ? `${v.resource.name}: ${v.message}` : v.message;
    // GitHub shows a related location where the message links to it by id: the call sites
    // are where a pull request changes a resource that a shared helper declares.
    const via = calledFrom.map((at, i) => `[${at.file}:${at.line}](${i + 1})`).join(" <- ");
    return {
      ruleId: v.policy,
      ruleIndex: rules.findIndex((r) => r.id === v.policy),
      level: sarifLevel[v.level] as Result.level,
      message: { text: via ? `${text}\n\nDeclared through ${via}.` : text },
      locations: [
        {
          physicalLocation: physical(location),
          ...(v.resource
            ? {
                logicalLocations: [
                  { name: v.resource.name, fullyQualifiedName: v.resource.urn, kind: "resource" },
                ],
              }
            : {}),
        },
      ],
      ...(calledFrom.length > 0
        ? {
            relatedLocations: calledFrom.map((at, i) => ({
              id: i + 1,
              physicalLocation: physical(at),
              message: { text: i === 0 ? "called here" : "called from here" },
            })),
            // The same frames as a path, from the component's constructor to the declaration.
            codeFlows: [
              {
                threadFlows: [
                  {
                    locations: [...calledFrom]
                      .reverse()
                      .map((at) => ({
                        location: { physicalLocation: physical(at) },
                      }))
                      .concat([{ location: { physicalLocation: physical(location) } }]),
                  },
                ],
              },
            ],
          }
        : {}),
      // Stable across runs and line moves: one alert per policy and resource.
      partialFingerprints: {
        "policyResource/v1": createHash("sha256")
          .update(`${v.policy}\0${v.resource?.urn ?? ""}`)
          .digest("hex"),
      },
    };
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: { name: pack.name, version: pack.version, rules },
        },
        automationDetails: { id: automationId(pack.name, report.subject) },
        results,
      },
    ],
  };
}

/** GitHub keeps one set of alerts per category: one per stack (or export) checked. */
function automationId(pack: string, subject: Subject): string {
  const name = subject.kind === "program" ? subject.stack : (subject.stack ?? "export");
  return `${pack}/${subject.kind}/${name}/`;
}
