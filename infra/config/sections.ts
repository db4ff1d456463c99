/**
 * Every section of the configuration, in the order keys are checked and documented. A section is
 * what one component (or the program's wiring) takes; a new key goes into its section's file.
 */
import type { z } from "zod";
import { alertingSection } from "./alerting";
import { backupProblems, backupSection } from "./backup";
import { cdnSection } from "./cdn";
import { databaseProblems, databaseSection } from "./database";
import { domainProblems, domainSection } from "./domain";
import { identitySection } from "./identity";
import { loadBalancerSection } from "./load-balancer";
import { networkSection } from "./network";
import { registrySection } from "./registry";
import { serviceProblems, serviceSection } from "./service";
import { fieldsOf, type CheckContext, type ConfigProblem } from "./setting";

export const sections = {
  identity: identitySection,
  alerting: alertingSection,
  domain: domainSection,
  network: networkSection,
  service: serviceSection,
  registry: registrySection,
  loadBalancer: loadBalancerSection,
  cdn: cdnSection,
  database: databaseSection,
  backup: backupSection,
};
export type Sections = typeof sections;
export type SectionName = keyof Sections;
export type SectionValues = { [S in SectionName]: z.infer<Sections[S]> };

/** Checks of keys against each other (and the account and region), run once each key parses. */
export const sectionChecks: {
  [S in SectionName]?: (v: Partial<SectionValues[S]>, ctx: CheckContext) => ConfigProblem[];
} = {
  domain: domainProblems,
  service: serviceProblems,
  database: databaseProblems,
  backup: backupProblems,
};

/** Every stack-file key with its section, field, schema and meta, in order. */
export const allSettings = (Object.keys(sections) as SectionName[]).flatMap((section) =>
  fieldsOf(sections[section]).map((f) => ({ section, ...f })),
);

/** Every key of the project's namespace but `environment`. */
export const keys = allSettings.map((s) => s.meta.key);
