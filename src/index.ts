// The toolkit template's split: the entry point only starts run(); main.ts does the work.
import { run } from './main.js';

void run();
