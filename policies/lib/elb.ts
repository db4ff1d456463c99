/**
 * Load balancer resources under both of their @pulumi/aws names: `aws.lb` and its older alias
 * `aws.alb` (other tokens, same resources), so a program using either is checked.
 */
import * as aws from "@pulumi/aws";
import type { ResourceClass } from "./stack";

export const loadBalancers: ResourceClass[] = [aws.lb.LoadBalancer, aws.alb.LoadBalancer];
export const listeners: ResourceClass[] = [aws.lb.Listener, aws.alb.Listener];
export const listenerRules: ResourceClass[] = [aws.lb.ListenerRule, aws.alb.ListenerRule];
export const targetGroups: ResourceClass[] = [aws.lb.TargetGroup, aws.alb.TargetGroup];
