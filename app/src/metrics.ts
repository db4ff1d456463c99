/**
 * Business metrics as CloudWatch Embedded Metric Format (EMF): a log line whose `_aws` member
 * tells CloudWatch Logs to extract a metric from it. The lines go to stdout with the rest of the
 * log, so ECS's awslogs driver delivers them and no agent, SDK call or IAM permission is needed.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { contract, type MetricKey } from "./contract";

export interface MetricsConfig {
  /** CloudWatch namespace the metrics land in. */
  namespace: string;
  /** `Service` dimension (SERVICE_NAME). */
  service: string;
  /** `Environment` dimension (DEPLOY_ENV), so staging and prod never share a series. */
  environment: string;
}

/** The fields to log for one occurrence of `metric` (a count of 1), at `timestampMs`. */
export function emfCount(config: MetricsConfig, metric: MetricKey, timestampMs = Date.now()) {
  return emfValue(config, metric, 1, timestampMs);
}

/**
 * The fields to log for `value` of `metric`, at `timestampMs`. Its name, unit and dimension names
 * are the contract's (src/contract.ts), which the dashboard reads too.
 */
export function emfValue(
  config: MetricsConfig,
  metric: MetricKey,
  value: number,
  timestampMs = Date.now(),
) {
  const { name, unit } = contract.metrics.list[metric];
  const dimensions = contract.metrics.dimensions;
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: config.namespace,
          Dimensions: [[dimensions.service, dimensions.environment]],
          Metrics: [{ Name: name, Unit: unit }],
        },
      ],
    },
    [dimensions.service]: config.service,
    [dimensions.environment]: config.environment,
    [name]: value,
  };
}
