import type { RunProgress } from '../pipeline/run.js';

const fmt = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return fmt.format(n);
}

/**
 * Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise
 * (so logs of a scheduled job stay readable). Only counts, never values.
 */
export class ProgressReporter {
  private readonly started = performance.now();
  private lastLine = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
    private readonly plainEveryMs = 5000,
  ) {}

  update(p: RunProgress): void {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(p.rowsIn / seconds) : 0;
    const fraction = p.bytesTotal ? Math.min(1, p.bytesRead / p.bytesTotal) : undefined;
    const counts = `${formatCount(p.rowsIn)} rows in, ${formatCount(p.rowsRejected)} rejected, ${formatCount(rate)} rows/s`;
    if (this.stream.isTTY) {
      const width = 24;
      const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, ' ')}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
      this.stream.write(`\r${this.label} ${bar}${counts}\u001b[K`);
      this.drawn = true;
      return;
    }
    const now = performance.now();
    if (now - this.lastLine < this.plainEveryMs) return;
    this.lastLine = now;
    const pct = fraction === undefined ? '' : ` (${(fraction * 100).toFixed(0)}% of input read)`;
    this.stream.write(`${this.label}: ${counts}${pct}\n`);
  }

  /** Ends the bar's line before the summary is printed. */
  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
