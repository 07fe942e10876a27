// Cron math for periodic SyncTasks, which become Kubernetes CronJobs. Pure: every time is
// an argument. Two promises: accept exactly the spec.schedule and spec.timeZone the API
// server accepts for a CronJob, so we never make one it refuses; and compute activations
// and missed runs as the CronJob controller does (robfig/cron v3 in the controller-manager).
//
// The dialect (robfig's ParseStandard) is parsed here, not by a library: every npm cron
// library accepts what Kubernetes refuses (seconds fields, L, W, #, 7 for Sunday) and
// refuses some of what it accepts ('?' in any field, "5/15", "*-x", "1,,2"). Only walking
// wall-clock time in a zone is left to a library: croner (v11, no dependencies), chosen
// over cron-parser (v5, Luxon) on robfig's own DST cases (spec_test.go TestNext in
// America/New_York) and a few more, 24 in all. Both follow Vixie cron for a schedule with one minute and one hour:
// run it after a spring-forward gap, once in a fall-back hour. robfig skips the gap and
// runs at both occurrences. croner documents its rule and applies robfig's behaviour to
// "interval jobs", which we can always ask for (schedule.ts); cron-parser has no such
// handle and missed 7 of the 24 cases, croner so configured none.
//
// Where we knowingly differ from Kubernetes:
// - A schedule that can never run ("59 23 31 2 *") passes the API server, and the
//   controller then reports InvalidSchedule forever; parseSchedule refuses it.
// - Time zones are the names in Go 1.26's tzdata (zones.ts). Names that only some API
//   server images load from disk (Factory, posixrules, posix/..., right/...) are refused.
// - Where a DST change is not a whole hour at a whole hour (Australia/Lord_Howe,
//   Pacific/Chatham) or skips midnight (America/Santiago, America/Havana, Africa/Cairo),
//   robfig's hour-by-hour walk now and then skips or repeats a run, or runs on a day the
//   schedule excludes; we give the time the clock shows.
// - robfig stops looking five years ahead ("0 0 29 2 *" from March 2096); croner does not.
export { parseSchedule, DEFAULT_TIME_ZONE, type Instant, type Schedule, type ScheduleResult } from './cron/schedule.js';
export { missedRuns, TOO_MANY_MISSED, type MissedRuns, type MissedWindow } from './cron/missed.js';
export { SCHEDULE_SHAPE_PATTERN, TIME_ZONE_PATTERN } from './cron/patterns.js';
