// POST /api/<method>: the JSON body is the call's request, the answer is the contract's envelope.
// The body is read up to a limit (413 past it, without reading the rest); a body that is not JSON
// is a 400; a call the caller's role may not make is a 403 with the envelope, so the page can say
// why. Everything else, refusals included, is a 200 carrying the envelope.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiResult, Caller, LontarService } from '../api/index';
import { SECURITY_HEADERS } from './security';

export const DEFAULT_MAX_BODY_BYTES = 1 << 20;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

/** The body as text, or undefined when it is larger than `limit` (reading stops there). */
export function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      req.off('data', onData);
      req.pause();
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const failure = (message: string): ApiResult<never> => ({ ok: false, error: { code: 'invalid-request', message } });

export async function answerCall(
  req: IncomingMessage,
  res: ServerResponse,
  service: LontarService,
  method: string,
  caller: Caller | undefined,
  maxBodyBytes: number = DEFAULT_MAX_BODY_BYTES,
): Promise<void> {
  if (req.method !== 'POST') return sendText(res, 405, 'API calls are POST requests');
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return sendText(res, 415, 'API calls must be application/json');
  const text = await readBody(req, maxBodyBytes);
  if (text === undefined) {
    // The rest of an oversized body is never read: answer, then drop the connection shortly after
    // (at once could reset it before the client has read the 413).
    res.once('finish', () => setTimeout(() => req.socket.destroy(), 500).unref());
    return sendJson(res, 413, failure(`the request is larger than ${maxBodyBytes} bytes`), { Connection: 'close' });
  }
  let payload: unknown;
  try {
    payload = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    return sendJson(res, 400, failure(`the request body is not JSON: ${(e as Error).message}`));
  }
  const result = await service.call(method, payload, caller);
  sendJson(res, !result.ok && result.error.code === 'forbidden' ? 403 : 200, result);
}
