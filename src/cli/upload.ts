import { Option, type Command } from 'commander';
import { DESTINATION_NAMES, type DestinationName } from '../destinations/types.js';
import { AudienceEtlError } from '../errors.js';
import { LIVEINTENT_ERRORS } from '../liveintent/status.js';
import { uploadDestination } from '../upload/index.js';
import { Interrupted, untilInterrupted } from './interrupt.js';
import type { CustomerFileSource, MetaOperation, UploadOptions, UploadResult } from '../upload/types.js';

const fmt = new Intl.NumberFormat('en-US');

function positive(flag: string, scale = 1) {
  return (value: string): number => {
    if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) throw new AudienceEtlError('BAD_OPTION', `${flag} must be a positive number, got "${value}"`);
    return Math.round(Number(value) * scale);
  };
}

/** The upload flags, for `upload` and for `run … --upload`; flags the command already has are left alone. */
export function addUploadOptions(command: Command): Command {
  const has = new Set(command.options.map((o) => o.long));
  const add = (option: Option): void => {
    if (!has.has(option.long)) command.addOption(option);
  };
  add(new Option('--dry-run', 'show what would be sent (files, bytes, row counts), send nothing'));
  add(new Option('--api-base <url>', 'meta, google, datax: the API root (a test server or a proxy)'));
  add(new Option('--audience-id <id>', 'meta: the custom audience; google: the audience (product destination id)'));
  add(new Option('--operation <op>', 'meta: add, remove, replace, remove-any (every audience of the ad account); google: add, remove').choices(['add', 'remove', 'replace', 'remove-any']));
  add(new Option('--ad-account-id <id>', 'meta: act_<id>, for remove-any and --create-audience'));
  add(new Option('--create-audience <name>', 'meta: create an empty CUSTOM audience first (once; the journal remembers it)'));
  add(new Option('--audience-description <text>', 'meta: description of the audience --create-audience makes'));
  add(new Option('--customer-file-source <source>', 'meta: how the data was collected').choices(['USER_PROVIDED_ONLY', 'PARTNER_PROVIDED_ONLY', 'BOTH_USER_AND_PARTNER_PROVIDED']));
  add(new Option('--account-id <id>', 'google: the operating account id'));
  add(new Option('--account-type <type>', 'google: GOOGLE_ADS (default), DISPLAY_VIDEO_PARTNER, DISPLAY_VIDEO_ADVERTISER, DATA_PARTNER'));
  add(new Option('--login-account-id <id>', 'google: the manager or partner account the credentials act through'));
  add(new Option('--login-account-type <type>', 'google: the login account type'));
  add(new Option('--accept-terms', 'google: the Customer Match terms of service were accepted in the operating account'));
  add(new Option('--host <host>', 'liveintent: SFTP host'));
  add(new Option('--port <port>', 'liveintent: SFTP port (22)').argParser(positive('--port')));
  add(new Option('--user <user>', 'liveintent: SFTP user'));
  add(new Option('--key-file <path>', 'liveintent: SSH private key (passphrase from LIVEINTENT_SSH_PASSPHRASE)'));
  add(new Option('--known-hosts <path>', 'liveintent: known_hosts file the host key is verified against (~/.ssh/known_hosts)'));
  add(new Option('--remote-dir <dir>', 'liveintent: remote folder (the login folder by default)'));
  add(new Option('--status-timeout <seconds>', 'liveintent: wait at most this long for each .status file (1800)').argParser(positive('--status-timeout', 1000)));
  add(new Option('--status-poll <seconds>', 'liveintent: first pause between looks for a .status file (10, doubling up to 60)').argParser(positive('--status-poll', 1000)));
  add(new Option('--no-wait', 'liveintent: upload and return without waiting for .status files'));
  add(new Option('--bucket <bucket>', 'newtail: S3 bucket'));
  add(new Option('--endpoint <url>', 'newtail: S3-compatible endpoint (path-style addressing then)'));
  add(new Option('--region <region>', 'newtail: S3 region (AWS_REGION, else us-east-1)'));
  add(new Option('--profile <name>', 'newtail: AWS profile from the shared config and credentials files'));
  add(new Option('--part-size <MiB>', 'newtail: multipart part size in MiB (8; at least 5)').argParser(positive('--part-size', 1024 * 1024)));
  add(new Option('--max-retries <n>', 'retries of one request before giving up (7; datax 11)').argParser(positive('--max-retries')));
  add(new Option('--max-retry-time <seconds>', 'time one request may spend retrying (600; datax 4200, for 429s)').argParser(positive('--max-retry-time', 1000)));
  add(new Option('--request-timeout <seconds>', 'HTTP: time one request may take (120; datax 1800)').argParser(positive('--request-timeout', 1000)));
  add(new Option('--json', 'print the upload result as JSON on stdout'));
  return command;
}

/** Commander's parsed flags → UploadOptions (checked further by each transport). */
export function uploadOptionsFromFlags(flags: Record<string, unknown>): UploadOptions {
  const text = (name: string): string | undefined => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const num = (name: string): number | undefined => (typeof flags[name] === 'number' ? (flags[name] as number) : undefined);
  const options: UploadOptions = {
    dryRun: flags.dryRun === true,
    apiBase: text('apiBase'),
    audienceId: text('audienceId'),
    operation: text('operation') as MetaOperation | undefined,
    adAccountId: text('adAccountId'),
    accountId: text('accountId'),
    accountType: text('accountType'),
    loginAccountId: text('loginAccountId'),
    loginAccountType: text('loginAccountType'),
    acceptTerms: flags.acceptTerms === true,
    host: text('host'),
    port: num('port'),
    user: text('user'),
    keyFile: text('keyFile'),
    knownHosts: text('knownHosts'),
    remoteDir: text('remoteDir'),
    statusTimeoutMs: num('statusTimeout'),
    statusPollMs: num('statusPoll'),
    wait: flags.wait !== false,
    bucket: text('bucket'),
    endpoint: text('endpoint'),
    region: text('region'),
    profile: text('profile'),
    partSizeBytes: num('partSize'),
    requestTimeoutMs: num('requestTimeout'),
  };
  const name = text('createAudience');
  if (name !== undefined) {
    options.createAudience = { name, description: text('audienceDescription'), customerFileSource: text('customerFileSource') as CustomerFileSource | undefined };
  }
  const retries = num('maxRetries');
  const retryTime = num('maxRetryTime');
  if (retries !== undefined || retryTime !== undefined) {
    options.retry = { ...(retries !== undefined ? { maxAttempts: retries + 1 } : {}), ...(retryTime !== undefined ? { maxElapsedMs: retryTime } : {}) };
  }
  return options;
}

/** The summary on stderr: counts, ids and file names only. */
export function describeUploadResult(result: UploadResult): string[] {
  const lines: string[] = [];
  const verb = result.dryRun ? 'dry run' : 'upload';
  const waiting = result.files.filter((f) => f.status === 'would-send');
  lines.push(
    result.dryRun
      ? `${result.destination} ${verb}: ${waiting.length} file(s) would be sent, ${result.alreadySent} already sent (journal)`
      : `${result.destination} ${verb}: ${result.sent} file(s) sent, ${result.alreadySent} already sent (journal)`,
  );
  for (const f of result.files) {
    const rows = f.rows !== undefined ? `, ${fmt.format(f.rows)} rows` : '';
    const resent = f.resent ? ' (resent: in flight when the last run stopped)' : '';
    lines.push(`  ${f.status.padEnd(12)} ${f.file}: ${fmt.format(f.bytes)} bytes${rows}${resent}`);
  }
  if (result.ignored.length > 0) lines.push(`  not sent (not ${result.destination} files): ${result.ignored.join(', ')}`);
  const m = result.meta;
  if (m !== undefined) {
    lines.push(
      `  session ${m.sessionId} (${m.operation}${m.audienceId ? `, audience ${m.audienceId}` : ''}): ${m.batches} batch(es) accepted, ` +
        `num_received ${fmt.format(m.numReceived)}, num_invalid_entries ${fmt.format(m.numInvalidEntries)}` +
        (m.invalidEntrySamples.length ? ` (${m.invalidEntrySamples.length} samples in --json)` : ''),
    );
  }
  if (result.google?.requestIds.length) lines.push(`  request ids: ${result.google.requestIds.join(', ')}`);
  for (const o of result.liveintent ?? []) {
    if (o.state === 'success') {
      lines.push(`  ${o.file}: LiveIntent success, transaction ${o.transactionId}`);
      for (const s of o.segments ?? []) lines.push(`    segment ${s.id}${s.action ? ` ${s.action}` : ''}: code ${s.code}, ${fmt.format(s.records ?? 0)} records`);
    } else if (o.state === 'error') {
      const meaning = LIVEINTENT_ERRORS.find((e) => e.code === o.errorCode)?.meaning ?? '';
      lines.push(`  ${o.file}: LiveIntent error ${o.errorCode} ${o.errorName} (${meaning})`);
    } else if (o.state === 'pending') {
      lines.push(`  ${o.file}: no .status yet; run the same command again to keep waiting (nothing is sent twice)`);
    } else {
      lines.push(`  ${o.file}: uploaded; status not waited for`);
    }
  }
  return lines;
}

/**
 * Runs one upload for the CLI (`upload`, and `run … --upload` after the run): prints the
 * summary (stderr) or the JSON result (stdout), and returns the exit code: 0, or 1 when a
 * LiveIntent status is an error or did not come in time, or 130/143 when SIGINT/SIGTERM stopped it.
 * Fatal errors are thrown.
 */
export async function runUploadFromCli(
  destination: string,
  dir: string,
  flags: Record<string, unknown>,
  streams: { out: Pick<NodeJS.WritableStream, 'write'>; err: Pick<NodeJS.WritableStream, 'write'> } = { out: process.stdout, err: process.stderr },
): Promise<number> {
  if (!(DESTINATION_NAMES as readonly string[]).includes(destination)) {
    throw new AudienceEtlError('UNKNOWN_DESTINATION', `unknown destination ${JSON.stringify(destination)}; expected one of ${DESTINATION_NAMES.join(', ')}`);
  }
  const quiet = flags.quiet === true;
  // Ctrl-C or a TERM stops the upload where it is: the journal knows what the platform accepted,
  // so the same command resumes.
  const result = await untilInterrupted(
    (signal) => `interrupted by ${signal}; run the same command again to resume (nothing accepted is sent twice)`,
    (signal) =>
      uploadDestination(destination as DestinationName, dir, {
        ...uploadOptionsFromFlags(flags),
        signal,
        ...(quiet ? {} : { log: (line: string) => streams.err.write(`${line}\n`) }),
      }),
  );
  if (result instanceof Interrupted) {
    streams.err.write(`audience-etl: ${result.message}\n`);
    return result.exitCode;
  }
  if (flags.json === true) streams.out.write(`${JSON.stringify(result, null, 2)}\n`);
  else if (!quiet) streams.err.write(`${describeUploadResult(result).join('\n')}\n`);
  const failed = (result.liveintent ?? []).filter((o) => o.state === 'error' || o.state === 'pending');
  for (const o of failed) {
    streams.err.write(
      o.state === 'error'
        ? `audience-etl: liveintent ${o.file}: status error ${o.errorCode} ${o.errorName}\n`
        : `audience-etl: liveintent ${o.file}: no status file within the --status-timeout\n`,
    );
  }
  return failed.length > 0 ? 1 : 0;
}

/** `audience-etl upload <destination> <dir>`. */
export function registerUploadCommand(program: Command): void {
  const command = program
    .command('upload')
    .description('send the files a run wrote to the destination (S3, SFTP or its API), resumably')
    .argument('<destination>', `one of: ${DESTINATION_NAMES.join(', ')}`)
    .argument('<dir>', 'the folder a run wrote (its --out); only <dir>/<destination>/ files are sent')
    .option('-q, --quiet', 'no progress, no summary');
  addUploadOptions(command);
  command.addHelpText(
    'after',
    `\nCredentials come from the environment, never from flags:\n` +
      `  meta: META_ACCESS_TOKEN   google: GOOGLE_ACCESS_TOKEN or application default credentials   datax: DATAX_ACCESS_TOKEN\n` +
      `  (each also as <NAME>_FILE, a file holding it); newtail: the AWS SDK chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE, --profile)\n` +
      `\nExamples:\n  audience-etl upload meta out --audience-id 23850000000000000 --operation replace\n` +
      `  audience-etl upload newtail out --bucket audiences --endpoint http://127.0.0.1:9000\n` +
      `  audience-etl upload liveintent out --host sftp.liveintent.com --user acme --key-file ~/.ssh/li_ed25519\n`,
  );
  command.action(async (destination: string, dir: string, flags: Record<string, unknown>) => {
    const code = await runUploadFromCli(destination, dir, flags);
    if (code !== 0) process.exitCode = code;
  });
}
