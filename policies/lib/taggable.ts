/**
 * Whether a resource type takes tags, read from the installed @pulumi/aws's own type
 * declarations rather than from a list kept by hand: the type token `aws:<module>/<file>:<Class>`
 * names the module `@pulumi/aws/<module>/<file>.d.ts`, whose `<Class>Args` interface has a `tags`
 * input exactly when the AWS resource can carry tags. Providers generated from the same schema
 * keep this shape, so an upgrade of @pulumi/aws changes the answer with the provider, and
 * test/tagging.spec.ts pins it against classes that do and do not take tags.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const root = dirname(require.resolve("@pulumi/aws/package.json"));
const known = new Map<string, boolean | undefined>();

/** true or false from the provider's types; undefined when the token names no module there. */
export function takesTags(type: string): boolean | undefined {
  if (known.has(type)) return known.get(type);
  const answer = readAnswer(type);
  known.set(type, answer);
  return answer;
}

function readAnswer(type: string): boolean | undefined {
  const token = /^aws:([\w-]+)\/(\w+):(\w+)$/.exec(type);
  if (!token) return undefined;
  const [, module, file, className] = token;
  let text: string;
  try {
    text = readFileSync(join(root, module === "index" ? "" : module, `${file}.d.ts`), "utf8");
  } catch {
    return undefined;
  }
  const start = text.indexOf(`export interface ${className}Args {`);
  if (start < 0) return undefined;
  const end = text.indexOf("\n}", start);
  return /\n {4}tags\?:/.test(text.slice(start, end < 0 ? undefined : end));
}
