// The conformance suite's smoke cases through the bundle under every server profile: one run per mode
// and the exactly-once create (the suite and the list: helpers/conformance.ts).
import { runAction } from '../../test-support/run-action.js';
import { describeProfiles, isSmoke } from '../helpers/conformance.js';

describeProfiles(runAction, isSmoke);
