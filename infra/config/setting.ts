/**
 * How one stack-file key is declared: a zod schema that turns the key's text into its value,
 * and what the loader, its errors and the generated documentation say about it. Each section file
 * (network.ts, database.ts, ...) is a `z.object` of such settings, so its TypeScript type is
 * `z.infer` of that object and nothing else describes the same keys.
 */
import { z } from "zod";
import { logRetentionDays } from "../aws-limits";
import type { Environment } from "./environments";

/** One bad or missing value: the full key (`acme:azCount`), if one is to blame, and what is wrong. */
export interface ConfigProblem {
  key?: string;
  /** Follows the key: `must be 3, got "5"`. */
  message: string;
}

/** What a section's cross-key checks know besides the section's own values. */
export interface CheckContext {
  env: Environment;
  region: string | undefined;
  accountId: string | undefined;
  /** The full key of a stack-file key: `dbInstanceClass` -> `acme:dbInstanceClass`. */
  key: (name: string) => string;
}

/** A per-environment minimum of a key (see `environmentFloors`). */
export type Floor = number | boolean | string;

export interface SettingMeta {
  /** The key in the stack file, without the project's namespace (`dbInstanceClass`). */
  key: string;
  /** One line for the configuration table. */
  description: string;
  /**
   * What a valid value looks like, as the error message says it after "must be". Keys with a
   * floor say what the environment's floor allows, so it gets the floor and the environment.
   */
  expected: string | ((floor: never, env: Environment) => string);
  /** The value a stack file that leaves the key out gets, the same in every environment. */
  default?: string | number | boolean;
  /**
   * The value is a secret: it must be stored encrypted (`pulumi config set --secret`) and no
   * message ever repeats it.
   */
  secret?: boolean;
  /**
   * For a secret: what the offline harness, which cannot decrypt the stack's `secure:` values,
   * gives the program in its place (marked secret, as the real value is).
   */
  standIn?: string;
}

/** Every setting's meta, looked up by its schema (the field of a section's `z.object`). */
export const settingMeta = z.registry<SettingMeta>();

/** Reads a stack-file string. */
type Text<T> = z.ZodType<T, string>;

/** A key every stack file must set: its value differs between environments. */
export function setting<T>(schema: Text<T>, meta: SettingMeta & { default?: undefined }): Text<T>;
/** A key with one default for every environment; a stack file sets it only to differ. */
export function setting<T extends string | number | boolean>(
  schema: Text<T>,
  meta: SettingMeta & { default: T },
): z.ZodDefault<Text<T>>;
/** A key a stack file may leave unset (or set to ""), meaning "none". */
export function setting<T>(
  schema: Text<T>,
  meta: SettingMeta & { optional: true },
): z.ZodOptional<Text<T>>;
export function setting<T>(
  schema: Text<T>,
  meta: SettingMeta & { optional?: true },
): z.ZodType<unknown, string | undefined> {
  const { optional, ...rest } = meta;
  const field =
    rest.default !== undefined
      ? (schema as z.ZodType).default(rest.default)
      : optional
        ? schema.optional()
        : // Its own instance: schemas such as `boolean` serve many keys, and meta is per instance.
          (schema as z.ZodType).clone();
  settingMeta.add(field, rest);
  return field as z.ZodType<unknown, string | undefined>;
}

/** A key a stack file may leave unset. */
export const isOptional = (field: z.ZodType<unknown, string | undefined>) =>
  field.def.type === "optional";

/** The expected text of a setting, for an environment and its floor (if the key has one). */
export function expectedText(meta: SettingMeta, floor: Floor | undefined, env: Environment) {
  return typeof meta.expected === "string"
    ? meta.expected
    : (meta.expected as (floor: Floor | undefined, env: Environment) => string)(floor, env);
}

/** A section: stack-file keys read into the fields a component takes. */
export type Section = z.ZodObject<Record<string, z.ZodType<unknown, string | undefined>>>;

/** The section's fields with their meta, in declaration order. */
export function fieldsOf(section: Section) {
  return Object.entries(section.shape).map(([field, schema]) => ({
    field,
    schema,
    meta: settingMeta.get(schema)!,
  }));
}

export const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\s*-?\d+\s*$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const oneOfNumbers = (allowed: readonly number[]) =>
  z
    .string()
    .regex(/^\s*\d+\s*$/)
    .transform(Number)
    .refine((n) => allowed.includes(n));

export const boolean = z.enum(["true", "false"]).transform((v) => v === "true");

export const dnsName = z
  .string()
  .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/);

/** `"a", "b"`, as enum values appear in messages. */
export const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(", ");

/** The values of an ordered list (weakest first) at or above the floor. */
export const atOrAbove = <T extends string>(ordered: readonly T[], floor: Floor | undefined) =>
  floor === undefined ? ordered : ordered.slice(ordered.indexOf(floor as T));

/** `true or false`, or, where the floor is true, `true` and why. */
export const onOrOff =
  (why = "") =>
  (floor: boolean | undefined) =>
    floor ? `true${why ? ` (${why})` : ""}` : "true or false";

/** A number of days from the floor (or `lowest`) to `highest`. */
export const daysFrom = (lowest: number, highest: number) => (floor: number | undefined) =>
  `an integer from ${floor ?? lowest} to ${highest}`;

export const retentionPeriods = oneOfNumbers(logRetentionDays);
export const retentionPeriod = `one of CloudWatch's retention periods (${logRetentionDays.join(", ")})`;

/**
 * `true` when a section reads exactly the fields a component's settings declare, each of a type
 * the component accepts. Each section file asserts it, so a key read but never used, or a
 * component field no key sets, fails `tsc`.
 */
export type Fits<Read, Declared> = [keyof Read] extends [keyof Declared]
  ? [keyof Declared] extends [keyof Read]
    ? Read extends Declared
      ? true
      : false
    : false
  : false;
export type Assert<T extends true> = T;
