/**
 * A progress bar in plain ANSI: redrawn in place on a terminal, a line per quarter otherwise
 * (CI logs, pipes).
 * @module
 */

/** Where the bar is drawn. */
export interface ProgressTarget {
  write(text: string): void;
  /** True on a terminal: the bar redraws itself in place. */
  isTTY?: boolean;
}

const WIDTH = 30;

/** A progress bar reporting `phase: done/total`. Returns the update function. */
export function progressBar(target: ProgressTarget): (phase: string, done: number, total: number) => void {
  let lastQuarter = -1;
  let lastPhase = '';
  let lastDrawn = 0;
  return (phase, done, total) => {
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    if (phase !== lastPhase) {
      if (lastPhase && target.isTTY) target.write('\n');
      lastPhase = phase;
      lastQuarter = -1;
    }
    const filled = Math.round(ratio * WIDTH);
    const line = `  [${'\u2588'.repeat(filled)}${'\u2591'.repeat(WIDTH - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${phase} ${done}/${total}`;
    if (target.isTTY) {
      // Redraw at most every 30 ms, and always at the end.
      const now = Date.now();
      if (done < total && now - lastDrawn < 30) return;
      lastDrawn = now;
      target.write(`\r\x1b[2K\x1b[32m${line}\x1b[0m`);
      if (done >= total) target.write('\n');
      lastPhase = done >= total ? '' : phase;
    } else {
      const quarter = Math.floor(ratio * 4);
      if (quarter === lastQuarter) return;
      lastQuarter = quarter;
      target.write(`${line}\n`);
    }
  };
}
