import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { FieldError } from '../lib/errors.js';
import { problem } from './problem.js';

/** A header line whose value holds a control character llhttp refuses (NUL among them). */
const BAD_HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[^\n]*?[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/m;

/** Which part of a request llhttp refused before Fastify saw it, when it is one a client can fix. */
type ClientError = Error & { code?: string; reason?: string; rawPacket?: unknown };

function refusedField(err: ClientError): FieldError | null {
  const message = 'Must not contain control characters such as NUL';
  if (err.code === 'HPE_INVALID_URL') return { field: /query/i.test(err.reason ?? '') ? 'query' : 'path', message };
  if (err.code !== 'HPE_INVALID_HEADER_TOKEN') return null;
  const name = Buffer.isBuffer(err.rawPacket) ? BAD_HEADER_LINE.exec(err.rawPacket.toString('latin1').split('\r\n').slice(1).join('\n'))?.[1] : undefined;
  return { field: name ? `header.${name.toLowerCase()}` : 'header', message };
}

/**
 * Node's HTTP parser refuses a NUL (or another control character) in a header or the URL before
 * any route runs; Fastify's default answer is a bare JSON 400. This answers a problem naming the
 * header, the query or the path instead, as the app does for text it refuses itself
 * (src/http/textHygiene.ts). Anything else a client breaks keeps Fastify's answer.
 */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, err: ClientError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const field = refusedField(err);
  let head: string;
  let body: string;
  if (field) {
    body = JSON.stringify(problem('validation_failed', randomUUID(), { detail: `${field.field}: ${field.message}`, errors: [field] }));
    head = `HTTP/1.1 400 ${STATUS_CODES[400]}\r\nContent-Type: application/problem+json`;
  } else {
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    body = JSON.stringify({ error: STATUS_CODES[status], message: 'Client Error', statusCode: status });
    head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json`;
  }
  // The raw packet holds every header (credentials included): only the code is logged.
  this.log.debug({ code: err.code, field: field?.field }, 'client error');
  if (socket.writable) socket.write(`${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy();
}
