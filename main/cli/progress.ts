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
