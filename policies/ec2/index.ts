export { securityGroupPublicIngress } from "./security-group-public-ingress";
export { vpcFlowLogs } from "./vpc-flow-logs";
