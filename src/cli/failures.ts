// The two ways the plugin fails on purpose, each with the one line to print. Kept free of
// the Kubernetes client so that verbs which need none (heartbeat) start fast.

/** A command line the plugin cannot run (exit 2); the message says what is wrong. */
export class UsageError extends Error {}

/** A failure the plugin explains itself (exit 1); the message is the line to print. */
export class CliError extends Error {}
