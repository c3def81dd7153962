// A sample of the hostile-input table through the bundle, as the runner runs it: every fifth case of
// each list (refused, accepted), so both modes and both outcomes cross a real process. The whole
// table runs in-process: __tests__/main/hostile-inputs.test.ts (the suite: helpers/hostile-inputs-suite.ts).
import { runAction } from '../../test-support/run-action.js';
import { describeHostileInputs } from '../helpers/hostile-inputs-suite.js';

describeHostileInputs(runAction, (titles) => titles.filter((_, i) => i % 5 === 0));
