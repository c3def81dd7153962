// The conformance suite under every server profile, through run() in-process: every case but the
// smoke cases, which run through the bundle (__tests__/e2e/profiles.test.ts; the suite: helpers/conformance.ts).
import { runInProcess } from '../../test-support/run-in-process.js';
import { describeProfiles, isSmoke } from '../helpers/conformance.js';

describeProfiles(runInProcess, (title) => !isSmoke(title));
