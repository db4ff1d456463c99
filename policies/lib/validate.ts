/**
 * One resource validation for several resource classes, each with its own typed check.
 *
 * Why not an array of `validateResourceOfType`: the SDK converts a resource's inputs from
 * protobuf afresh for every validation function it calls, and `validateResourceOfType`
 * throws (an Error, with a stack trace) for each resource of another type. An array of three
 * typed validations costs every resource of the stack three conversions and two throws; this
 * costs it one conversion and no throw.
 */
import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";

export interface TypedCheck {
  applies: (args: ResourceValidationArgs) => boolean;
  check: ResourceValidation;
}

/** `check` for resources of `resourceClass`, its inputs typed as `validateResourceOfType` types them. */
export function forType<TResource extends Resource, TArgs>(
  // The constructor shape validateResourceOfType takes; `any` as there: the options differ by class.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resourceClass: { new (name: string, args: TArgs, ...rest: any[]): TResource },
  check: (
    props: Unwrap<NonNullable<TArgs>>,
    args: ResourceValidationArgs,
    report: ReportViolation,
  ) => void,
): TypedCheck {
  return {
    applies: (args) => args.isType(resourceClass),
    check: (args, report) => check(args.props as Unwrap<NonNullable<TArgs>>, args, report),
  };
}

/** A validation that runs, for each resource, the checks whose class it is of. */
export function validateTypes(...checks: TypedCheck[]): ResourceValidation {
  return (args, report) => {
    for (const { applies, check } of checks) if (applies(args)) check(args, report);
  };
}
