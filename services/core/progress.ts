/**
 * A one-line progress display on stderr for long commands (record, replay, dlq
 * replay). Hand-rolled rather than cli-progress: we need one line, a rate and an
 * ETA, and a plain periodic line instead of redraws when stderr is not a terminal
 * (CI logs); that is less code than configuring a library for both.
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private done = 0;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total?: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(out.isTTY);
  }

  tick(n = 1, extra = ''): void {
    this.done += n;
    const now = Date.now();
    if (now - this.lastDraw < (this.tty ? 100 : 5000)) return;
    this.lastDraw = now;
    this.draw(extra);
  }

  private draw(extra: string): void {
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    let line = `${this.label} ${this.done.toLocaleString('en')}`;
    if (this.total) {
      const frac = Math.min(1, this.done / this.total);
      const width = 24;
      const filled = Math.round(frac * width);
      const eta = rate > 0 ? Math.max(0, (this.total - this.done) / rate) : 0;
      line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1)}% ${this.done.toLocaleString('en')}/${this.total.toLocaleString('en')} eta ${eta.toFixed(0)}s`;
    }
    line += ` ${Math.round(rate).toLocaleString('en')}/s${extra ? ` ${extra}` : ''}`;
    this.out.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  finish(summary: string): void {
    if (this.tty) this.out.write('\r\x1b[K');
    const secs = (Date.now() - this.started) / 1000;
    this.out.write(`${this.label}: ${summary} in ${secs.toFixed(1)} s\n`);
  }

  get count(): number {
    return this.done;
  }
}
