import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";
import { packPolicies } from "../../scripts/offline/policy-config";

interface Row {
  section: string;
  item: string;
  enforcedBy: string;
}

/** The rows of every table in docs/quality-gate.md, under their `##` section. */
function mapRows(): Row[] {
  const rows: Row[] = [];
  let section = "";
  for (const line of readFileSync(join(repoRoot, "docs", "quality-gate.md"), "utf8").split("\n")) {
    if (line.startsWith("## ")) section = line.slice(3);
    const cells = line.split("|").map((c) => c.trim());
    if (!line.startsWith("| ") || cells.length !== 4 || /^-+$/.test(cells[1])) continue;
    if (cells[2] === "Enforced by") continue;
    rows.push({ section, item: cells[1], enforcedBy: cells[2] });
  }
  return rows;
}

const quoted = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
const isPolicyName = (name: string) => /^[a-z0-9]+(-[a-z0-9]+)+$/.test(name);
const isPath = (name: string) => name.includes("/");

describe("docs/quality-gate.md", () => {
  const rows = mapRows();
  const pack = packPolicies().map((p) => p.name);

  it("has a section for each of the deployment checklists and the quality gate", () => {
    const sections = [...new Set(rows.map((r) => r.section.split(" (")[0]))];
    for (const expected of [
      "Container",
      "Environment and secrets",
      "Database operations",
      "Logging",
      "Monitoring",
      "Alerting",
      "CDN and static assets",
      "SSL/TLS",
      "Backup and recovery",
      "Quality gate",
    ]) {
      assert.ok(sections.includes(expected), `no section "${expected}" in ${sections.join(", ")}`);
    }
  });

  it("says for every item what enforces it, or why nothing can", () => {
    const bare = rows.filter(
      (r) =>
        !quoted(r.enforcedBy).some((q) => isPolicyName(q) || isPath(q)) &&
        !r.enforcedBy.startsWith("nothing"),
    );
    assert.deepEqual(
      bare.map((r) => `${r.section}: ${r.item}`),
      [],
    );
  });

  it("names only policies of the pack and files that exist", () => {
    const named = rows.flatMap((r) => quoted(r.enforcedBy));
    assert.deepEqual(
      named.filter((q) => isPolicyName(q) && !pack.includes(q)),
      [],
    );
    assert.deepEqual(
      named.filter((q) => isPath(q) && !existsSync(join(repoRoot, q))),
      [],
    );
  });

  it("names every policy of the pack", () => {
    const named = new Set(rows.flatMap((r) => quoted(r.enforcedBy)));
    assert.deepEqual(
      pack.filter((p) => !named.has(p)),
      [],
    );
  });
});
