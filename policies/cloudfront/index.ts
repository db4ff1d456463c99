export { defaultRootObject } from "./default-root-object";
export { hsts } from "./hsts";
export { logging } from "./logging";
export { minimumTls } from "./minimum-tls";
export { originHttps } from "./origin-https";
export { s3OriginAccessControl } from "./s3-origin-access-control";
export { viewerHttps } from "./viewer-https";
export { waf } from "./waf";
