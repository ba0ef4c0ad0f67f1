import type { Command } from 'commander';
import { isAudienceEtlError } from '../errors.js';
import { validateDataxFile, type DataxReport } from '../validate/datax.js';

/** Exit code for a file the destination would refuse. */
export const EXIT_REFUSED = 1;
/** Exit code for a command that could not check the file: no validator, unreadable file, bad flag. */
export const EXIT_CANNOT_CHECK = 2;

/** Destinations with a file validator. Others get a clear message, not a silent pass. */
const VALIDATORS: Readonly<Record<string, (file: string, maxFindings: number) => Promise<DataxReport>>> = {
  datax: (file, maxFindings) => validateDataxFile(file, { maxFindings }),
};

/** The report as lines for a person: one per finding, then a summary. No value is ever quoted. */
export function describeDataxReport(report: DataxReport): string[] {
  const lines = report.findings.map(
    (f) => `${f.line !== undefined ? `line ${f.line}` : 'file'}: ${f.code}: ${f.message}`,
  );
  const total = Object.values(report.counts).reduce((sum, n) => sum + (n ?? 0), 0);
  if (report.truncated) lines.push(`… ${total - report.findings.length} more findings not listed`);
  if (report.valid) {
    lines.push(`${report.file}: valid DataX file, schema ${report.schema?.join(',')}, ${report.rows} rows`);
  } else {
    const byCode = Object.entries(report.counts)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    lines.push(`${report.file}: refused by DataX's rules: ${total} finding${total === 1 ? '' : 's'} (${byCode})`);
  }
  return lines;
}

/**
 * `audience-etl validate <destination> <file>`: checks a file as the destination would before
 * uploading it, every line, and prints each finding with its line number. Exit 0 when the file
 * would be accepted, 1 when it would be refused, 2 when it could not be checked. `--json` prints
 * the report for scripts.
 */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check an output file as the destination would before upload (datax: .csv.bz2)')
    .argument('<destination>', `destination whose rules apply: ${Object.keys(VALIDATORS).join(', ')}`)
    .argument('<file>', 'the file to check')
    .option('--json', 'print the report as JSON')
    .option('--max-findings <n>', 'findings listed (all are counted)', '1000')
    .action(async (destination: string, file: string, flags: { json?: boolean; maxFindings: string }) => {
      const validator = VALIDATORS[destination];
      if (validator === undefined) {
        process.stderr.write(
          `error: no validator for ${JSON.stringify(destination)}: files can be validated for ${Object.keys(VALIDATORS).join(', ')}\n`,
        );
        process.exitCode = EXIT_CANNOT_CHECK;
        return;
      }
      const maxFindings = Number(flags.maxFindings);
      if (!Number.isInteger(maxFindings) || maxFindings < 0) {
        process.stderr.write(`error: --max-findings ${JSON.stringify(flags.maxFindings)}: expected an integer >= 0\n`);
        process.exitCode = EXIT_CANNOT_CHECK;
        return;
      }
      let report: DataxReport;
      try {
        report = await validator(file, maxFindings);
      } catch (err) {
        const message = isAudienceEtlError(err) ? `[${err.code}] ${err.message}` : String(err);
        process.stderr.write(`error: ${message}\n`);
        process.exitCode = EXIT_CANNOT_CHECK;
        return;
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        const text = describeDataxReport(report).join('\n') + '\n';
        (report.valid ? process.stdout : process.stderr).write(text);
      }
      if (!report.valid) process.exitCode = EXIT_REFUSED;
    });
}
