// The whole hostile-input table through run() in-process (the suite: helpers/hostile-inputs-suite.ts).
import { runInProcess } from '../../test-support/run-in-process.js';
import { describeHostileInputs } from '../helpers/hostile-inputs-suite.js';

describeHostileInputs(runInProcess);
