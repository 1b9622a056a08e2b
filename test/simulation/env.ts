/**
 * The environment the simulated Lambdas see, set before any handler module is loaded: metrics on
 * (the oracle reads the alarm metrics from stdout, as CloudWatch would read EMF), logs at INFO.
 */
process.env.POWERTOOLS_SERVICE_NAME = 'sip';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'Sip';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_DEV = 'false';
process.env.AWS_REGION ??= 'eu-north-1';
export {};
