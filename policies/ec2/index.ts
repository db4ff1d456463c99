export { securityGroupPublicIngress } from "./security-group-public-ingress";
export { securityGroupUnrestrictedEgress } from "./security-group-unrestricted-egress";
export { vpcFlowLogs } from "./vpc-flow-logs";
