import type { PolicyResource } from "@pulumi/policy";
import { dependsOn, isUnknownError } from "./stack";

/**
 * Whether `from.props[key]` names `to` (its `toKey` property): by property dependency, which a
 * preview knows even while the name or id is still unknown, or else by equal value. A value not
 * known yet names nothing: it cannot be compared, and the dependency has already been checked.
 * Unlike `refersTo` in ./stack (any handle of the target, as a substring), the value must equal
 * `to.props[toKey]` exactly.
 */
export function refersToValue(
  from: PolicyResource,
  key: string,
  to: PolicyResource,
  toKey: string,
): boolean {
  if (dependsOn(from, key, to)) return true;
  try {
    const value = to.props[toKey];
    return value !== undefined && from.props[key] === value;
  } catch (err) {
    if (isUnknownError(err)) return false;
    throw err;
  }
}
