// `npm run demo` (after `npm ci`): the air-gap workflow end to end against two local registries.
// The code lives in test/demo/, where it is type-checked and linted; run it with
// `node --import tsx bin/demo.ts` (dist/ must hold a build: `npm run demo` builds first).
import { main } from '../test/demo/demo.js';

process.exit(await main());
