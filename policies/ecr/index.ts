export { repositoryImmutableTags } from "./repository-immutable-tags";
export { repositoryLifecyclePolicy } from "./repository-lifecycle-policy";
export { repositoryScanOnPush } from "./repository-scan-on-push";
