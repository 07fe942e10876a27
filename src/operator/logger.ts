// JSON logs on stdout. Every line about a task or pool carries `namespace` and
// `task`/`pool` fields so one can filter a single sync's story. Never log task
// parameters or anything from a Secret.
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { component: 'syncpool-operator', ...base },
    format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}
