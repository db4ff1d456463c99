import type { PolicyResource } from "@pulumi/policy";

/** @pulumi/policy throws its UnknownValueError on reading a value a preview does not know. */
const isUnknownValue = (err: unknown) => (err as Error)?.constructor?.name === "UnknownValueError";

/**
 * Whether `from.props[key]` names `to` (its `toKey` property): by property dependency, which a
 * preview knows even while the name or id is still unknown, or else by equal value. A value not
 * known yet names nothing: it cannot be compared, and the dependency has already been checked.
 */
export function refersTo(
  from: PolicyResource,
  key: string,
  to: PolicyResource,
  toKey: string,
): boolean {
  if ((from.propertyDependencies[key] ?? []).some((d) => d.urn === to.urn)) return true;
  try {
    const value = to.props[toKey];
    return value !== undefined && from.props[key] === value;
  } catch (err) {
    if (isUnknownValue(err)) return false;
    throw err;
  }
}
