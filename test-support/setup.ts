// Jest's ESM loader cannot require() ES modules; load the library's lazy dependencies with import() first.
import { TASKBAR_ENV } from '../src/env.js';
import { preloadDependencies } from '../src/lazy.js';

await preloadDependencies();

// Colours on a terminal follow FORCE_COLOR / NO_COLOR (src/env.ts): a test run is the same whatever the
// shell that started it sets (tests that are about them set them).
delete process.env.FORCE_COLOR;
delete process.env.NO_COLOR;

// Taskbar progress (OSC 9;4) is on by default where the terminal says it shows it: tests do not depend on
// the terminal they were started from either (tests that are about it set these).
for (const key of TASKBAR_ENV) delete process.env[key];
if (process.env.TERM === 'xterm-ghostty') process.env.TERM = 'xterm-256color';
// A CI job (`CI=true`, as .ci/run sets it) writes plain lines even to a terminal, and the TAQADDUM_*
// settings change the bars' defaults (src/options/env-defaults.ts): the tests draw what they draw whatever
// runs them. This also goes for the programs they start (the environment is inherited); tests that are
// about these variables set them.
for (const name of ['CI', 'TAQADDUM_MODE', 'TAQADDUM_MIN_INTERVAL', 'TAQADDUM_PLAIN_INTERVAL', 'TAQADDUM_WIDTH']) {
  delete process.env[name];
}
