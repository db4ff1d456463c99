import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { repoRoot } from "../../scripts/offline/harness";

const exec = promisify(execFile);

export interface NpmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs an npm script the way the docs say, in a child process, and reports how it ended. */
export function npmRun(script: string, ...args: string[]): Promise<NpmResult> {
  return npmRunIn(repoRoot, script, ...args);
}

/** The same in another checkout of the repository (a copy made by a test). */
export async function npmRunIn(cwd: string, script: string, ...args: string[]): Promise<NpmResult> {
  try {
    const { stdout, stderr } = await exec("npm", ["run", "-s", script, "--", ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
