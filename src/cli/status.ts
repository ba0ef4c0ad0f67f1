import type { Command } from 'commander';
import { isAudienceEtlError } from '../errors.js';
import { describeLiveIntentStatus, readLiveIntentStatus } from '../liveintent/status.js';

/** Exit code for a status file that reports an error (the platform refused the file). */
export const EXIT_STATUS_ERROR = 1;
/** Exit code for a status file that cannot be read or is of neither documented shape. */
export const EXIT_BAD_STATUS_FILE = 2;

/**
 * `audience-etl status liveintent <file>`: reads the `.status` file LiveIntent returned and prints
 * it (stdout on success, stderr on an error status, which also sets a non-zero exit code).
 * `--json` prints the typed result instead, for scripts. Only liveintent returns status files.
 */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('read a status file a destination returned (liveintent: <filename>.status)')
    .argument('<destination>', 'destination that wrote the status file: liveintent')
    .argument('<file>', 'the status file')
    .option('--json', 'print the parsed result as JSON')
    .action(async (destination: string, file: string, flags: { json?: boolean }) => {
      if (destination !== 'liveintent') {
        process.stderr.write(`error: status files are read for liveintent only, not ${JSON.stringify(destination)}\n`);
        process.exitCode = EXIT_BAD_STATUS_FILE;
        return;
      }
      try {
        const status = await readLiveIntentStatus(file);
        const text = flags.json ? JSON.stringify(status, null, 2) : describeLiveIntentStatus(status).join('\n');
        if (status.ok) {
          process.stdout.write(text + '\n');
        } else {
          // Readable text goes to stderr like any failure; --json stays on stdout for the script reading it.
          (flags.json ? process.stdout : process.stderr).write(text + '\n');
          process.exitCode = EXIT_STATUS_ERROR;
        }
      } catch (err) {
        const message = isAudienceEtlError(err) ? err.message : String(err);
        process.stderr.write(`error: ${message}\n`);
        process.exitCode = EXIT_BAD_STATUS_FILE;
      }
    });
}
