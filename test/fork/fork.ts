/**
 * A fork's first commit: a copy of the repository whose project is renamed and whose stack files
 * name another region, account, owner and addresses, as a team that forks the starter writes
 * them. Tests run in such a copy prove that nothing else in the repository (a test included)
 * still expects the starter's own values.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { stacksHere } from "../../scripts/offline/harness";
import { copyRepository } from "../infra/repo-copy";

export interface Fork {
  project: string;
  region: string;
  /** The off-site backup copy's region, for the stacks that set one. */
  backupCopyRegion: string;
  /** Per stack. */
  accountIds: Record<string, string>;
  owner: string;
  costCenter: string;
  alertEmail: string;
  /** For the stacks that set one. */
  domainName: string;
  runbookBaseUrl: string;
}

/** Sets `key` under `path` of a YAML file, comments kept; with `onlyIfSet`, where it is already. */
function edit(file: string, changes: [path: string[], value: string, onlyIfSet?: boolean][]) {
  const doc = parseDocument(readFileSync(file, "utf8"));
  for (const [path, value, onlyIfSet] of changes) {
    if (onlyIfSet && !doc.hasIn(path)) continue;
    doc.setIn(path, value);
  }
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
}

/** The repository copied into `dir` (installed packages linked), then changed as `fork` says. */
export function forkRepository(dir: string, fork: Fork): string {
  copyRepository(dir);
  edit(join(dir, "Pulumi.yaml"), [
    [["name"], fork.project],
    [["template", "config", "aws:region", "default"], fork.region],
    [["template", "config", "owner", "default"], fork.owner],
    [["template", "config", "costCenter", "default"], fork.costCenter],
    [["template", "config", "alertEmail", "default"], fork.alertEmail],
  ]);
  for (const stack of stacksHere()) {
    const accountId = fork.accountIds[stack];
    if (!accountId) throw new Error(`fork: no account id for stack ${stack}`);
    const config = (key: string) => ["config", key];
    edit(join(dir, `Pulumi.${stack}.yaml`), [
      [config("aws:region"), fork.region],
      [config("accountId"), accountId],
      [config("owner"), fork.owner],
      [config("costCenter"), fork.costCenter],
      [config("alertEmail"), fork.alertEmail],
      [config("runbookBaseUrl"), fork.runbookBaseUrl],
      // Each stack with a domain gets its own name in the fork's zone (staging rehearses prod's TLS).
      [
        config("domainName"),
        stack === "prod" ? fork.domainName : `${stack}.${fork.domainName}`,
        true,
      ],
      [config("hostedZoneName"), fork.domainName.split(".").slice(1).join("."), true],
      [config("backupCopyRegion"), fork.backupCopyRegion, true],
    ]);
  }
  // Committed, as a fork is: the image tag is the commit's.
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=fork", "-c", "user.email=fork@example.net", ...args], {
      cwd: dir,
      stdio: "ignore",
    });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "Fork: renamed, with our region, accounts and addresses");
  return dir;
}
