/**
 * Business metrics as CloudWatch Embedded Metric Format (EMF): a log line whose `_aws` member
 * tells CloudWatch Logs to extract a metric from it. The lines go to stdout with the rest of the
 * log, so ECS's awslogs driver delivers them and no agent, SDK call or IAM permission is needed.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export interface MetricsConfig {
  /** CloudWatch namespace the metrics land in. */
  namespace: string;
  /** `Service` dimension (SERVICE_NAME). */
  service: string;
  /** `Environment` dimension (DEPLOY_ENV), so staging and prod never share a series. */
  environment: string;
}

export type BusinessMetric = "NotesCreated" | "NotesDeleted" | "ActiveClients";

/** The fields to log for one occurrence of `name` (a count of 1), at `timestampMs`. */
export function emfCount(config: MetricsConfig, name: BusinessMetric, timestampMs = Date.now()) {
  return emfValue(config, name, 1, timestampMs);
}

/** The fields to log for `value` of `name` (a count), at `timestampMs`. */
export function emfValue(
  config: MetricsConfig,
  name: BusinessMetric,
  value: number,
  timestampMs = Date.now(),
) {
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: config.namespace,
          Dimensions: [["Service", "Environment"]],
          Metrics: [{ Name: name, Unit: "Count" }],
        },
      ],
    },
    Service: config.service,
    Environment: config.environment,
    [name]: value,
  };
}
