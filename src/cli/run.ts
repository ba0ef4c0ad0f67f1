import { Command, Option } from 'commander';
import { DESTINATION_NAMES } from '../destinations/types.js';
import { AudienceEtlError } from '../errors.js';
import { CANONICAL_FIELDS } from '../model/fields.js';
import { runDestination, type RunResult } from '../pipeline/run.js';
import { Interrupted, untilInterrupted } from './interrupt.js';
import { formatCount, ProgressReporter } from './progress.js';
import { addUploadOptions, runUploadFromCli } from './upload.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function integer(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new AudienceEtlError('BAD_OPTION', `${name} must be a whole number, got "${value}"`);
    return Number(value);
  };
}

/** `field=Column` pairs → a mapping; a malformed pair is a BAD_OPTION error. */
export function parseMapPairs(pairs: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new AudienceEtlError('BAD_OPTION', `--map ${pair}: use field=Column, e.g. --map email=E-Mail`);
    map[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return map;
}

export function printSummary(result: RunResult, stream: NodeJS.WriteStream = process.stderr): void {
  const r = result.report;
  const reasons = Object.entries(r.rejects)
    .map(([reason, n]) => `${reason} ${formatCount(n ?? 0)}`)
    .join(', ');
  const rate = r.seconds > 0 ? ` (${formatCount(Math.round(r.rows_in / r.seconds))} rows/s)` : '';
  stream.write(
    `${r.destination}: ${formatCount(r.rows_in)} rows in, ${formatCount(r.rows_out)} out, ${formatCount(r.rows_rejected)} rejected` +
      `${reasons ? ` (${reasons})` : ''} in ${r.seconds.toFixed(1)} s${rate}\n` +
      `  files: ${r.files.length ? r.files.join(', ') : 'none'}\n` +
      `  report: ${result.reportPath}\n` +
      (r.rows_rejected ? `  rejects: ${result.rejectsPath}\n` : ''),
  );
}

export function registerRunCommand(program: Command): void {
  const command = program
    .command('run')
    .description('turn a customer export into the files a destination accepts')
    .argument('<destination>', `one of: ${DESTINATION_NAMES.join(', ')}`)
    .requiredOption('-i, --input <path>', 'input file (csv, tsv, json, ndjson; .gz, .bz2 or .zip detected by content), or - for stdin')
    .requiredOption('-o, --out <dir>', 'output folder; files go to <dir>/<destination>/, plus report.json and rejects.ndjson')
    .addOption(new Option('--format <format>', 'input format (default: detected)').choices(['csv', 'tsv', 'json', 'ndjson']))
    .option('--map <field=Column>', `map an input column to a canonical field (repeatable); fields: ${CANONICAL_FIELDS.join(', ')}`, collect, [])
    .option('--default-country <CC>', 'ISO country for rows without their own (phones, ZIP codes, region codes)')
    .option('--date-format <layout>', 'birth date layout besides ISO, e.g. DD/MM/YYYY or MM/DD/YYYY')
    .addOption(new Option('--phone <mode>', 'keep (lenient) or drop (strict) numbers libphonenumber deems invalid').choices(['lenient', 'strict']).default('lenient'))
    .option('--batch-size <n>', 'rows per batch or request (meta, google: at most 10000)', integer('--batch-size'))
    .option('--rows-per-file <n>', 'rows per output file (newtail: 1000000)', integer('--rows-per-file'))
    .addOption(new Option('--hash <algorithm>', 'hash algorithm where the destination allows a choice').choices(['sha256', 'sha1', 'md5']))
    .addOption(new Option('--encoding <encoding>', 'hash encoding where the destination allows a choice (google)').choices(['hex', 'base64']))
    .option('--session-id <n>', 'meta: the session id (a positive 64-bit integer; random by default)')
    .option('--ldu', 'meta: Limited Data Use for every row (DATA_PROCESSING_OPTIONS ["LDU"])')
    .option('--ldu-country <n>', 'meta: DATA_PROCESSING_OPTIONS_COUNTRY (1 = USA, 0 = let Meta geolocate)', integer('--ldu-country'))
    .option('--ldu-state <n>', 'meta: DATA_PROCESSING_OPTIONS_STATE (1000 = California, 0 = let Meta geolocate)', integer('--ldu-state'))
    .option('--partner-id <id>', 'liveintent: your partner id')
    .option('--sub-id <id>', 'liveintent: sub id (agencies)')
    .option('--segment <id:name:action>', 'liveintent: a segment to add or remove (repeatable)', collect, [])
    .addOption(new Option('--digest <algorithm>', 'liveintent: digest naming the data file').choices(['md5', 'sha1']))
    .addOption(new Option('--compression <kind>', 'liveintent: data file compression').choices(['none', 'gzip', 'zip']))
    .option('--prefix <prefix>', 'newtail: the key prefix Newtail gave you')
    .option('--delta', 'newtail: write only rows new or changed since the last run')
    .option('--threads <n>', 'worker threads for CSV/TSV inputs (default: one per core for inputs of 4 MB or more; newtail --delta: 1; same output with any count)', integer('--threads'))
    .option('-q, --quiet', 'no progress, no summary')
    .option('--upload', 'upload the files after the run (see audience-etl upload --help for its options)');
  addUploadOptions(command);
  command
    .addHelpText(
      'after',
      `\nExamples:\n  audience-etl run meta --input examples/customers.csv --out out --default-country US\n` +
        `  zcat crm.csv.gz | audience-etl run google --input - --out out --map email="E-Mail Address"\n`,
    )
    .action(async (destination: string, opts: Record<string, unknown>) => {
      const quiet = opts.quiet === true;
      const progress = quiet ? undefined : new ProgressReporter(process.stderr, destination);
      const ldu = opts.ldu === true || opts.lduCountry !== undefined || opts.lduState !== undefined
        ? { country: opts.lduCountry as number | undefined, state: opts.lduState as number | undefined }
        : undefined;
      // Ctrl-C or a TERM stops the run cleanly: its temporary files are removed and nothing looks
      // finished.
      const result = await untilInterrupted(
        (signal) => `interrupted by ${signal}; no output was finished (temporary files removed)`,
        (signal) =>
          runDestination({
            signal,
            destination,
            input: opts.input as string,
            out: opts.out as string,
            format: opts.format as string | undefined,
            map: parseMapPairs(opts.map as string[]),
            defaultCountry: opts.defaultCountry as string | undefined,
            dateFormat: opts.dateFormat as string | undefined,
            phoneMode: opts.phone as 'lenient' | 'strict',
            batchSize: opts.batchSize as number | undefined,
            rowsPerFile: opts.rowsPerFile as number | undefined,
            hash: opts.hash as string | undefined,
            encoding: opts.encoding as string | undefined,
            sessionId: opts.sessionId as string | undefined,
            ldu,
            partnerId: opts.partnerId as string | undefined,
            subId: opts.subId as string | undefined,
            segments: opts.segment as string[],
            digest: opts.digest as 'md5' | 'sha1' | undefined,
            compression: opts.compression as 'none' | 'gzip' | 'zip' | undefined,
            prefix: opts.prefix as string | undefined,
            delta: opts.delta === true,
            threads: opts.threads as number | undefined,
            onProgress: progress ? (p) => progress.update(p) : undefined,
          }),
      );
      if (result instanceof Interrupted) {
        progress?.done();
        process.stderr.write(`\naudience-etl: ${result.message}\n`);
        process.exitCode = result.exitCode;
        return;
      }
      progress?.done();
      if (!quiet) printSummary(result);
      if (opts.upload === true) {
        const code = await runUploadFromCli(destination, opts.out as string, opts);
        if (code) process.exitCode = code;
      }
    });
}
