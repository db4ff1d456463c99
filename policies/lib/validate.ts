/**
 * One resource validation for several resource classes: `validateEach` (one check, the same
 * props shape for every class, such as a resource's `aws.lb` and `aws.alb` names) and
 * `validateTypes` (a typed check per class).
 *
 * Why not an array of `validateResourceOfType`: the SDK deserializes a resource's inputs for
 * every validation function it calls, and `validateResourceOfType` throws NotApplicable (an
 * Error, with a stack trace) for each resource of another type. An array of three typed
 * validations cost every resource of the stack three deserializations and up to three throws;
 * these cost it one of each at most. `validateTypes` still reports a resource of none of its
 * classes as not applicable, as the array did; `validateEach` lets it pass without a word.
 */
import type {
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  TypedResourceValidation,
} from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";
import type { ResourceClass } from "./stack";

/** A resource validation of every resource of `classes`, given its inputs as `T`. */
export function validateEach<T>(
  classes: ResourceClass[],
  check: (props: T, report: ReportViolation) => void,
): ResourceValidation {
  return (args, report) => {
    if (classes.some((c) => args.isType(c))) check(args.props as T, report);
  };
}

export interface TypedCheck {
  type: string;
  applies: (args: ResourceValidationArgs) => boolean;
  check: (args: ResourceValidationArgs, report: ReportViolation) => Promise<void> | void;
}

/** `check` for resources of `resourceClass`, its inputs typed as `validateResourceOfType` types them. */
export function forType<TResource extends Resource, TArgs>(
  // The constructor shape validateResourceOfType takes; `any` as there: the options differ by class.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resourceClass: { new (name: string, args: TArgs, ...rest: any[]): TResource },
  check: TypedResourceValidation<Unwrap<NonNullable<TArgs>>>,
): TypedCheck {
  return {
    type: (resourceClass as unknown as { __pulumiType: string }).__pulumiType,
    applies: (args) => args.isType(resourceClass),
    check: (args, report) => check(args.props as Unwrap<NonNullable<TArgs>>, args, report),
  };
}

/** A validation that runs, for each resource, the checks whose class it is of (and awaits them). */
export function validateTypes(...checks: TypedCheck[]): ResourceValidation {
  const types = checks.map((c) => `'${c.type}'`).join(", ");
  return (args, report) => {
    const applying = checks.filter(({ applies }) => applies(args));
    if (applying.length === 0) {
      // The SDK's notApplicable throws. Capturing the error's stack trace, which nobody reads,
      // for each resource of another type cost about 0.03 s of the prod stack's evaluation.
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        args.notApplicable(`Policy only applies to resources of type ${types}`);
      } finally {
        Error.stackTraceLimit = limit;
      }
    }
    // A promise only when a check returns one: the SDK awaits what a validation returns.
    const pending = applying
      .map(({ check }) => check(args, report))
      .filter((r) => r instanceof Promise);
    return pending.length > 0 ? Promise.all(pending).then(() => undefined) : undefined;
  };
}
