import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { isAudienceEtlError } from '../errors.js';
import { registerBenchCommand } from './bench.js';
import { registerRunCommand } from './run.js';
import { registerStatusCommand } from './status.js';
import { registerUploadCommand } from './upload.js';
import { registerValidateCommand } from './validate.js';

const USAGE_CODES = new Set(['BAD_OPTION', 'UNKNOWN_DESTINATION']);

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(): Command {
  const program = new Command('audience-etl')
    .description(
      // One paragraph: commander wraps it to the terminal's width.
      'Turn CRM customer exports into customer-match audiences for Meta, Google Data Manager, ' +
        'Yahoo DataX, LiveIntent and Newtail: normalize, hash, validate, batch, write and upload.',
    )
    .version(version())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRunCommand(program);
  registerValidateCommand(program);
  registerUploadCommand(program);
  registerStatusCommand(program);
  registerBenchCommand(program);
  program.addHelpText(
    'after',
    `\nStart with:\n  audience-etl run meta --input examples/customers.csv --out out --default-country US\n` +
      `  audience-etl run --help\n`,
  );
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 1 failed run, 2 usage error). */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander already printed its usage message.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (isAudienceEtlError(err)) {
      process.stderr.write(`\naudience-etl: error [${err.code}]: ${err.message}\n`);
      return USAGE_CODES.has(err.code) ? 2 : 1;
    }
    process.stderr.write(`\naudience-etl: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
