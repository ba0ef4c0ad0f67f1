#!/usr/bin/env node
// The build's one-file bundle of dist/src/cli/main.js (scripts/build.mjs): it loads in a third of the time.
import { main } from '../dist/src/cli/main.bundle.js';

process.exitCode = await main(process.argv);
