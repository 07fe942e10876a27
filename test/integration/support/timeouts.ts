// Integration tests wait on real controllers (a CronJob fires once a minute).
import { jest } from '@jest/globals';

jest.setTimeout(180_000);
