import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { type ProblemStatus, problemType } from './problem.ts';

type Limits = Pick<
  Config,
  | 'HTTP_HEADERS_TIMEOUT_MS'
  | 'HTTP_REQUEST_TIMEOUT_MS'
  | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
  | 'BODY_IDLE_TIMEOUT_MS'
>;

/** Node's own limits on how long a request may take to arrive, from the configuration. */
export function httpServerOptions(limits: Limits): ServerOptions {
  return {
    headersTimeout: limits.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeout: limits.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: limits.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    // Node checks the two limits above on this beat (30 s unless told): often enough that a
    // short limit means what it says.
    connectionsCheckingInterval: Math.min(1_000, limits.HTTP_HEADERS_TIMEOUT_MS),
  };
}

const REASONS: Partial<Record<ProblemStatus, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * An answer written straight to the socket, for the failures Node sees before (or instead of)
 * the app: still a problem document, as every other error.
 */
function writeRawProblem(socket: Socket, status: 400 | 408 | 431, detail: string): void {
  const body = JSON.stringify({
    type: problemType(status),
    title: REASONS[status],
    status,
    detail,
  });
  socket.write(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * Aborts a request whose body stops arriving for `idleMs`: a stalled upload would otherwise hold
 * its import (and a database connection) until HTTP_REQUEST_TIMEOUT_MS. Time during which the
 * app itself is not reading (its buffers are full) does not count against the client.
 */
function watchBodyIdle(
  req: IncomingMessage,
  res: ServerResponse,
  idleMs: number,
  logger: Logger,
): void {
  if (req.complete || !hasBody(req)) return;
  const socket = req.socket;
  let seen = socket.bytesRead;
  let quietSince = performance.now();
  let timer: NodeJS.Timeout;
  const check = () => {
    if (req.complete || req.destroyed || socket.destroyed) return;
    const heldBack = req.isPaused() || req.readableLength >= req.readableHighWaterMark;
    if (socket.bytesRead !== seen || heldBack) {
      seen = socket.bytesRead;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= idleMs) {
      logger.warn({ method: req.method, url: req.url }, 'request body stalled: aborted');
      if (!res.headersSent) {
        writeRawProblem(socket, 408, `The request body sent nothing for ${idleMs} ms.`);
      }
      // The body stream errors, so whatever reads it (an import) fails and rolls back.
      socket.destroy();
      return;
    }
    timer = setTimeout(check, idleMs / 4).unref();
  };
  timer = setTimeout(check, idleMs / 4).unref();
  req.once('close', () => clearTimeout(timer));
}

/**
 * Guards a listening server against slow and broken clients: stalled bodies are aborted, and
 * Node's own refusals (headers or request too slow, unreadable HTTP) answer as problem+json.
 */
export function guardAgainstSlowClients(server: Server, limits: Limits, logger: Logger): void {
  const responses = new WeakMap<Socket, ServerResponse>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    responses.set(req.socket, res);
    if (limits.BODY_IDLE_TIMEOUT_MS > 0) {
      watchBodyIdle(req, res, limits.BODY_IDLE_TIMEOUT_MS, logger);
    }
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const answering = responses.get(socket)?.headersSent ?? false;
    if (error.code !== 'ECONNRESET' && socket.writable && !answering) {
      if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
        logger.warn('request too slow to arrive: closed');
        writeRawProblem(socket, 408, 'The request took too long to arrive.');
      } else if (error.code === 'HPE_HEADER_OVERFLOW') {
        writeRawProblem(socket, 431, 'The request headers are too large.');
      } else {
        writeRawProblem(socket, 400, 'The request is not valid HTTP.');
      }
    }
    socket.destroy();
  });
}
