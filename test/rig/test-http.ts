/**
 * A tiny HTTP(S) client for the rig's own tests, on node:http/https: the
 * product uses undici, and the rig must not share its client with the code
 * it is meant to check. Global fetch cannot take a custom CA, hence this.
 */
import { readFileSync } from 'node:fs';
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest, type Agent } from 'node:https';
import type { Duplex } from 'node:stream';

/** Options of {@link send}. */
export interface SendOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  /** CA file for https. */
  caFile?: string;
  /** Supply the connection yourself (e.g. a TLS socket through a CONNECT tunnel). */
  createConnection?: () => Duplex;
  agent?: Agent | false;
  timeoutMs?: number;
}

/** A complete response. */
export interface SentResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one request and reads the whole response. */
export function send(url: string, options: SendOptions = {}): Promise<SentResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: options.caFile === undefined ? undefined : readFileSync(options.caFile),
        // node ignores createConnection whenever an agent is given (even false).
        agent: options.createConnection !== undefined ? undefined : (options.agent ?? false),
        createConnection: options.createConnection,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Every manifest type: distribution 2.8 answers 404 for types the client does not accept. */
export const ACCEPT_MANIFESTS = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** `Authorization: Basic` value. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
