import type { PolicyResource } from "@pulumi/policy";

/**
 * Whether `from.props[key]` names `to` (its `toKey` property): by property dependency, which a
 * preview knows even while the name or id is still unknown, or else by equal value. The values
 * are read only when the dependency does not settle it, since reading an unknown one throws.
 */
export function refersTo(
  from: PolicyResource,
  key: string,
  to: PolicyResource,
  toKey: string,
): boolean {
  if ((from.propertyDependencies[key] ?? []).some((d) => d.urn === to.urn)) return true;
  const value = to.props[toKey];
  return value !== undefined && from.props[key] === value;
}
