import { availableParallelism, cpus } from 'node:os';
import type { Command } from 'commander';
import { AudienceEtlError } from '../errors.js';
import { Interrupted, untilInterrupted } from './interrupt.js';

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('measure rows per second and peak memory on a generated messy CRM export, against the usual Node way')
    .option('--rows <n>', 'rows to generate', '1000000')
    .option('--destinations <list>', 'comma-separated destinations to run end to end', 'meta,google,datax,liveintent,newtail')
    .option('--rounds <n>', 'rounds of the end-to-end scenarios, run in turn; each reports its median round', '1')
    .option('--json', 'print the results as JSON')
    .action(async (opts: { rows: string; destinations: string; rounds: string; json?: boolean }) => {
      if (!/^\d+$/.test(opts.rows) || Number(opts.rows) < 1) throw new AudienceEtlError('BAD_OPTION', `--rows must be a positive whole number, got "${opts.rows}"`);
      if (!/^\d+$/.test(opts.rounds) || Number(opts.rounds) < 1) throw new AudienceEtlError('BAD_OPTION', `--rounds must be a positive whole number, got "${opts.rounds}"`);
      const rows = Number(opts.rows);
      // The benchmarks live beside the CLI in the build; loaded only when asked for.
      const { runBenchmarks, formatTable } = await import('../../benchmarks/run.js');
      const tty = process.stderr.isTTY;
      // Ctrl-C or a TERM stops the scenario running and removes the generated input (~107 MB per
      // million rows) rather than leaving it in the temporary folder.
      const results = await untilInterrupted(
        (signal) => `bench interrupted by ${signal}; its generated input was removed`,
        (signal) =>
          runBenchmarks({
            signal,
            rows,
            destinations: opts.destinations.split(',').map((d) => d.trim()).filter(Boolean),
            rounds: Number(opts.rounds),
            onProgress: (done, total, scenario) => {
              const width = 20;
              const bar = '#'.repeat(Math.round((done / total) * width)).padEnd(width, ' ');
              if (tty) process.stderr.write(`\r[${bar}] ${done}/${total} ${scenario}\u001b[K${done === total ? '\n' : ''}`);
              else process.stderr.write(`bench: ${done}/${total} ${scenario}\n`);
            },
          }),
      );
      if (results instanceof Interrupted) {
        process.stderr.write(`${tty ? '\n' : ''}audience-etl: ${results.message}\n`);
        process.exitCode = results.exitCode;
        return;
      }
      const machine = { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, date: new Date().toISOString().slice(0, 10) };
      if (opts.json) process.stdout.write(JSON.stringify({ machine, rows, rounds: Number(opts.rounds), results }, null, 2) + '\n');
      else process.stdout.write(`${machine.date}, ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${rows} rows\n${formatTable(results)}\n`);
    });
}
