/**
 * Paths given on a script's command line. `npm run` starts a script in the repository's root,
 * wherever the user typed it, and keeps that directory in INIT_CWD: a relative path the user
 * gives means that directory, not the root.
 */
import { resolve } from "node:path";

/** Where the user ran `npm run` (the process's own directory when not started by npm). */
export function userDir(): string {
  return process.env.INIT_CWD ?? process.cwd();
}

/** A path given on the command line, from where the user ran `npm run`. */
export function fromUser(path: string): string {
  return resolve(userDir(), path);
}
