// Every request browser mode answers, one JSON line each, in the workspace's logs/serve-requests.log:
// when, from where, who (the signed-in person, or the local owner), what (the HTTP method and the
// call, file or sign-in step; never a query string, so invite tokens and session keys stay out),
// the status and how long it took. Lines are appended synchronously: an audit log that loses its
// last lines in a crash is worth little, and one short append per request costs microseconds.
// The file follows the workspace when the owner opens another one.

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const REQUEST_LOG = join('logs', 'serve-requests.log');

export interface RequestLogEntry {
  time: string;
  client: string;
  /** "name#id (role)", or null when nobody is signed in. */
  user: string | null;
  http: string;
  action: string;
  status: number;
  ms: number;
  /** Why a sign-in was refused by a session cap or for another person's browser (no secrets). */
  note?: string;
}

export class RequestLog {
  private madeDir: string | undefined;
  private warned = false;

  /** `fileFor()` is asked before each write: the log lives in whichever workspace is open. */
  constructor(private readonly fileFor: () => string) {}

  write(entry: RequestLogEntry): void {
    const file = this.fileFor();
    try {
      if (dirname(file) !== this.madeDir) {
        mkdirSync(dirname(file), { recursive: true });
        this.madeDir = dirname(file);
      }
      // 0600: the log names people and what they did; other accounts on the machine need not read it.
      appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    } catch (e) {
      // A full disk must not take the server down; say so once.
      if (!this.warned) process.emitWarning(`cannot write the request log ${file}: ${(e as Error).message}`);
      this.warned = true;
    }
  }
}

/** A log line's `action` for a URL path (the query string is dropped on purpose). */
export function actionOf(pathname: string): string {
  const shown = pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname;
  return shown.startsWith('/api/') ? `call ${shown.slice(5)}` : shown;
}
