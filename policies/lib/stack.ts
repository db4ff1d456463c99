/**
 * What stack policies need to read values a preview may not know yet and to follow references
 * between resources. A preview does not know the ids and ARNs of resources it has yet to create,
 * so a reference is found through the engine's property dependencies first, and through equal
 * values only when those are known.
 */
import type { PolicyResource } from "@pulumi/policy";

/**
 * Stands for a value only known once the resource exists (`pulumi preview`). It is truthy, so a
 * property that will be set counts as set; comparing it with a real value never matches.
 */
export const unknown = "(known after the resource is created)";

// @pulumi/policy throws its (unexported) UnknownValueError on reading an unknown value.
export const isUnknownError = (err: unknown) =>
  (err as Error)?.constructor?.name === "UnknownValueError";

/** A resource class (e.g. `aws.s3.Bucket`), as `isType` takes it. */
export type ResourceClass = Parameters<PolicyResource["isType"]>[0];

const byType = new WeakMap<readonly PolicyResource[], Map<ResourceClass, PolicyResource[]>>();

/**
 * The resources of `resources` that are of one of `classes`, found once per array and class.
 * Stack policies search the same array again for each resource they judge (each rule of each
 * security group, each subscription of each alarm's topic), so without the index those searches
 * grow with the square of the stack; and each `aws.<module>.<Class>` read goes through
 * @pulumi/aws's lazy getter, a `require` per read (utilities.js, lazyLoad).
 */
export function ofType(
  resources: readonly PolicyResource[],
  ...classes: ResourceClass[]
): PolicyResource[] {
  let index = byType.get(resources);
  if (!index) {
    index = new Map();
    byType.set(resources, index);
  }
  let found: PolicyResource[] = [];
  for (const c of classes) {
    let ofClass = index.get(c);
    if (!ofClass) {
      ofClass = resources.filter((r) => r.isType(c));
      index.set(c, ofClass);
    }
    found = classes.length === 1 ? ofClass : found.concat(ofClass);
  }
  return found;
}

/** Whether the resource is of one of `classes`. */
export const isAny = (resource: PolicyResource, classes: ResourceClass[]) =>
  classes.some((c) => resource.isType(c));

/** Whether the engine lists `to` among the dependencies of `from`'s property `key`. */
export const dependsOn = (from: PolicyResource, key: string, to: PolicyResource): boolean =>
  (from.propertyDependencies[key] ?? []).some((dep) => dep.urn === to.urn);

/** A plain copy of `read()`'s value, each unknown part of it replaced by `unknown`. */
function resolve(read: () => unknown): unknown {
  let value: unknown;
  try {
    value = read();
  } catch (err) {
    if (isUnknownError(err)) return unknown;
    throw err;
  }
  if (Array.isArray(value)) {
    const items = value;
    return Array.from({ length: items.length }, (_, i) => resolve(() => items[i]));
  }
  if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(object).map((k) => [k, resolve(() => object[k])]));
  }
  return value;
}

/** The property `key` of `resource` as plain data (unknown parts are `unknown`), or undefined. */
export function prop<T = unknown>(resource: PolicyResource, key: string): T | undefined {
  return resolve(() => resource.props[key]) as T | undefined;
}

/** Values another resource can use to name `target`: its id, ARN, name, DNS name. */
function handles(target: PolicyResource): string[] {
  return ["id", "arn", "name", "bucket", "bucketRegionalDomainName", "bucketDomainName", "dnsName"]
    .map((key) => prop(target, key))
    .filter((v): v is string => typeof v === "string" && v !== unknown && v.length > 3);
}

/**
 * Whether `from`'s property `key` refers to `target`: through the engine's property
 * dependencies (always known), or by holding one of `target`'s handles (id, ARN, name) anywhere
 * in its value (a substring of a string, or of an object's JSON). For an exact match of one
 * named property of the target, see `refersToValue` in ./references.
 */
export function refersTo(from: PolicyResource, key: string, target: PolicyResource): boolean {
  if (dependsOn(from, key, target)) return true;
  const value = prop(from, key);
  if (value === undefined) return false;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return handles(target).some((handle) => text.includes(handle));
}

/** A resource's region: its own `region` (provider v7 lets each resource set one), else its provider's. */
export function regionOf(resource: PolicyResource): string | undefined {
  const own = prop<string>(resource, "region");
  if (own && own !== unknown) return own;
  const fromProvider = resolve(() => resource.provider?.props.region);
  return typeof fromProvider === "string" && fromProvider !== unknown ? fromProvider : undefined;
}

/** The resource's own tags (not the provider's default tags). */
export function tagsOf(resource: PolicyResource): Record<string, string> {
  return prop<Record<string, string>>(resource, "tags") ?? {};
}
