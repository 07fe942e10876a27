/** A command line the plugin cannot run; the message says what is wrong. */
export class UsageError extends Error {}
