import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { repoRoot } from "../../scripts/offline/harness";

const exec = promisify(execFile);

/** Runs an npm script the way the README says, in a child process, and reports how it ended. */
export async function npmRun(
  script: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec("npm", ["run", "-s", script, "--", ...args], {
      cwd: repoRoot,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
