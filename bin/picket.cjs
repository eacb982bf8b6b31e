#!/usr/bin/env node
// `npx picket …`: runs the TypeScript CLI through tsx, so it works right after `npm ci` with no build step.
require('tsx/cjs/api').register();
require('./picket.ts').main();
