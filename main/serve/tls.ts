// HTTPS for `lontar serve` on a lab network: invite links and session cookies otherwise cross the
// network in clear text. The owner brings a certificate and its key as PEM files (the lab's own
// certificate authority, or a self-signed one made offline with openssl, see docs/cli.md); they are
// checked here before the server starts, so a wrong file is a clear message and not a browser error
// later.

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

export interface TlsCertificateFacts {
  /** The names and addresses browsers may use: the certificate's subjectAltName, e.g. "DNS:lab, IP Address:10.0.0.5". */
  names: string;
  validTo: Date;
}

/** A certificate or key that cannot serve: unreadable, not PEM, expired, or not a pair. */
export class TlsSetupError extends Error {
  override name = 'TlsSetupError';
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TlsSetupError(`cannot read the ${what} "${path}": ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Reads and checks a certificate and its private key; `now` decides expiry. */
export function readTlsFiles(certPath: string, keyPath: string, now: Date = new Date()): { files: TlsFiles; facts: TlsCertificateFacts } {
  const cert = readPem(certPath, 'certificate');
  const key = readPem(keyPath, 'private key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsSetupError(`"${certPath}" is not a PEM certificate (it should start with -----BEGIN CERTIFICATE-----)`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsSetupError(`"${keyPath}" is not an unencrypted PEM private key (it should start with -----BEGIN PRIVATE KEY-----)`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new TlsSetupError(`the private key "${keyPath}" does not belong to the certificate "${certPath}"`);
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() <= now.getTime()) throw new TlsSetupError(`the certificate "${certPath}" expired on ${validTo.toISOString().slice(0, 10)}; make a new one`);
  if (new Date(x509.validFrom).getTime() > now.getTime()) throw new TlsSetupError(`the certificate "${certPath}" is not valid before ${x509.validFrom}; check this computer's clock`);
  return { files: { cert, key }, facts: { names: x509.subjectAltName ?? `(no subjectAltName; subject ${x509.subject.replace(/\n/g, ', ')})`, validTo } };
}
