import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";
import { anchorOf, anchors } from "./anchors";

const runbooks = join(repoRoot, "docs", "runbooks");

describe("runbooks", () => {
  const pages = readdirSync(runbooks).filter((f) => f.endsWith(".md"));

  it("cover every operation the quality gate asks a runbook for", () => {
    assert.deepEqual(pages.sort(), [
      "README.md",
      "common-issues.md",
      "database-recovery.md",
      "deployment.md",
      "incident-response.md",
      "rollback.md",
      "scaling.md",
      "service-restart.md",
    ]);
  });

  it("link only to pages and sections that exist", () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(runbooks, page), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [file, anchor] = target.split("#");
        const path = join(runbooks, file || page);
        if (!existsSync(path)) broken.push(`${page}: ${target} (no such page)`);
        else if (anchor && !anchors(path).has(anchor))
          broken.push(`${page}: ${target} (no such section)`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it("turns headings into GitHub's anchors", () => {
    assert.equal(anchorOf("Tasks stop right after starting"), "tasks-stop-right-after-starting");
    assert.equal(anchorOf("5xx from the load balancer"), "5xx-from-the-load-balancer");
    assert.equal(anchorOf("`pulumi up` refuses to run"), "pulumi-up-refuses-to-run");
    assert.equal(anchorOf("Scale up and down"), "scale-up-and-down");
  });
});
