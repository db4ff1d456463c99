export { encryption } from "./encryption";
export { logLifecycle } from "./log-lifecycle";
export { publicAccessBlock } from "./public-access-block";
export { staticVersioning } from "./static-versioning";
export { tlsOnly } from "./tls-only";
