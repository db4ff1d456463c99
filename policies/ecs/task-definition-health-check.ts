import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf } from "../lib/container-definitions";

/** Shell commands that exit 0 whatever happens. */
const alwaysSucceeds = /^(true|\/(usr\/)?bin\/true|:|exit 0)$/;
/** Shells a CMD health check may run a script with (`["CMD", "sh", "-c", "<script>"]`). */
const shells = /^(\/(usr\/)?bin\/)?(sh|bash|ash|dash)$/;

/**
 * Why the script always exits 0, or undefined: it is a no-op (`true`, `:`, `exit 0`), or its
 * last step is one (`curl -f ... || exit 0`, `...; true`), which turns every failure into
 * success.
 */
function swallowsFailure(script: string): string | undefined {
  const trimmed = script.trim();
  if (alwaysSucceeds.test(trimmed)) return `always exits 0 ("${trimmed}")`;
  const last = /(\|\||;|&&)\s*([^|;&]*)$/.exec(trimmed);
  if (last && last[1] !== "&&" && alwaysSucceeds.test(last[2].trim())) {
    return `always exits 0 ("${last[1]} ${last[2].trim()}" turns every failure into success)`;
  }
  return undefined;
}

/** What is wrong with a present health check command, or undefined. */
function commandProblem(command: string[]): string | undefined {
  const [kind, ...rest] = command;
  if (kind !== "CMD" && kind !== "CMD-SHELL") {
    return kind === "NONE"
      ? 'starts with "NONE", which turns the health check off'
      : `starts with "${kind}", not "CMD" or "CMD-SHELL"`;
  }
  if (rest.every((part) => !part?.trim())) return `has nothing to run after "${kind}"`;
  if (kind === "CMD-SHELL") return swallowsFailure(rest.join(" "));
  const [program, flag, script] = rest;
  if (alwaysSucceeds.test(program.trim())) return `always exits 0 ("${program}")`;
  if (shells.test(program) && flag === "-c" && script !== undefined) {
    return swallowsFailure(script);
  }
  return undefined;
}

/**
 * Safe condition: every essential container (ECS treats an unset `essential` as true) has a
 * healthCheck.command that
 * - starts with "CMD" (run the arguments) or "CMD-SHELL" (run them with the shell), as the ECS
 *   API requires ("The string array must start with CMD to run the command arguments directly,
 *   or CMD-SHELL to run the command with the container's default shell", HealthCheck, Amazon
 *   ECS API Reference); Docker's "NONE" turns the check off;
 * - has something to run after it;
 * - can fail: "An exit code of 0 indicates success" (same page), so a command that is `true`,
 *   `:` or `exit 0`, or a shell script whose last step after `||` or `;` is one of them
 *   (`curl -f http://localhost/ || exit 0`), reports healthy while the service is down.
 */
export const taskDefinitionHealthCheck: ResourceValidationPolicy = {
  name: "ecs-task-definition-health-check",
  description:
    "Container checklist 'health check defined': every essential container has a " +
    "healthCheck command that starts with CMD or CMD-SHELL and can fail (not true, exit 0 or " +
    "'|| exit 0'), so ECS replaces a task that stops answering.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const container of containersOf(definition, report)) {
      // ECS treats a container without `essential` as essential.
      if (container.essential === false) continue;
      const command = container.healthCheck?.command;
      if (!command?.length) {
        report(
          `${containerLabel(container)} is essential but has no healthCheck: add ` +
            'healthCheck.command (for example ["CMD", "node", "dist/healthcheck.js"]).',
        );
        continue;
      }
      const problem = commandProblem(command);
      if (problem) {
        report(
          `${containerLabel(container)}: healthCheck.command ${JSON.stringify(command)} ` +
            `${problem}: run a probe whose failure is the command's exit code, starting with ` +
            '"CMD" or "CMD-SHELL" (for example ["CMD", "node", "dist/healthcheck.js"]).',
        );
      }
    }
  }),
};
