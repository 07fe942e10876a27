// Which heartbeat store the operator runs with: Redis when configured (shared by the
// replicas, kept across restarts), this process's memory otherwise.
import type { Logger } from '../runtime/clock.js';
import { MemoryHeartbeatStore } from './memoryStore.js';
import { RedisHeartbeatStore } from './redisStore.js';
import type { HeartbeatStore } from './store.js';

export interface HeartbeatStoreConfig {
  redisUrl?: string;
  now: () => number;
  log: Logger;
}

export function openHeartbeatStore({ redisUrl, now, log }: HeartbeatStoreConfig): HeartbeatStore {
  if (redisUrl) return new RedisHeartbeatStore({ url: redisUrl, now, log });
  // With several replicas each one then knows only the heartbeats it received itself.
  log.info('no Redis configured: heartbeats held in this process\'s memory, lost on restart and not shared between replicas');
  return new MemoryHeartbeatStore({ now });
}
