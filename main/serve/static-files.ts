// The built renderer's files, served read-only: only files inside the build folder, with their
// content types; index.html is never cached (a rebuilt UI must not mix with old assets).

import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join, normalize, sep } from 'node:path';
import { contentTypeOf } from '../api/index';

/** Sends the file for a URL path, or returns false when there is none (the caller answers 404). */
export function sendStatic(root: string, urlPath: string, res: ServerResponse, headers: Record<string, string>): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return false;
  }
  const relative = decoded === '/' ? 'index.html' : normalize(decoded).replace(/^([/\\])+/, '');
  const file = join(root, relative);
  if (!file.startsWith(root + sep) || relative.split(/[/\\]/).includes('..')) return false;
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return false;
    size = stat.size;
  } catch {
    return false;
  }
  const cache = relative === 'index.html' ? 'no-store' : 'no-cache';
  res.writeHead(200, { ...headers, 'Content-Type': contentTypeOf(file), 'Content-Length': String(size), 'Cache-Control': cache });
  createReadStream(file).pipe(res);
  return true;
}
