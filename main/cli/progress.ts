// Progress of long loops on stderr: one rewritten line on a terminal, an occasional line otherwise
// (logs and pipes), so stdout stays clean for JSON.

export function progressReporter(label: string, intervalMs = 2000): (done: number, total: number) => void {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    const finished = done >= total;
    if (!finished && now - last < (tty ? 100 : intervalMs)) return;
    last = now;
    const line = `${label}: ${done}/${total}`;
    process.stderr.write(tty ? `\r${line}${finished ? '\n' : ''}` : `${line}\n`);
  };
}

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Progress through named stages (e.g. discovery's "predicting the pool", "scoring heads"): one
 * rewritten line on a terminal; elsewhere a plain line when a stage starts, at each further 10% of
 * it and when it ends, so a log or a pipe gets a few readable lines instead of one endless one.
 */
export function stageReporter(stream: ProgressStream = process.stderr): { report: (stage: string, done: number, total: number) => void; end: () => void } {
  const tty = stream.isTTY === true;
  let stage: string | undefined;
  let shown = -1; // the last tenth printed for this stage
  let open = false; // a terminal line waiting for its newline
  return {
    report(name, done, total) {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      if (tty) {
        stream.write(`\r${name}: ${done}/${total}\x1b[K`);
        open = true;
        return;
      }
      const tenth = Math.floor(fraction * 10);
      if (name === stage && tenth <= shown) return;
      [stage, shown] = [name, tenth];
      stream.write(`${name}: ${done}/${total} (${Math.round(fraction * 100)}%)\n`);
    },
    end() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}
