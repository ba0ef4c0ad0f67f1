#!/usr/bin/env node
// The build's one-file bundle of dist/src/cli/main.js (scripts/build.mjs): it loads in a third of the time.
import { main } from '../dist/src/cli/main.bundle.js';

// A reader that stops early (`audience-etl validate … | head`) closes the pipe: stop quietly, as
// Unix tools do, rather than with a stack trace. Output files are renamed into place before any
// summary is printed, so nothing is left half-written by this.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
});

process.exitCode = await main(process.argv);
