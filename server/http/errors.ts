// Two kinds of error. Bugs throw and become a 500 with no details. User and data errors are
// typed values (UserError) carried in a Result and turned into HTTP responses here, in one place.
import type { NextFunction, Request, Response } from 'express';
import { ERROR_STATUS, type ApiErrorBody, type ErrorCode } from '../../core/errors.js';
import { isOutOfSpace } from '../db/errors.js';
import { noteStorageFailure, STORAGE_RETRY_AFTER_S } from '../health/storage.js';

export interface UserError {
  readonly kind: 'user';
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: UserError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, details?: unknown): { ok: false; error: UserError } => ({
  ok: false,
  error: { kind: 'user', code, message, details },
});

export function sendError(res: Response, e: UserError): void {
  const body: ApiErrorBody = { error: { code: e.code, message: e.message } };
  if (e.details !== undefined) body.error.details = e.details;
  res.status(ERROR_STATUS[e.code]).json(body);
}

/** Express error middleware: body-parser failures are user errors; anything else is a bug. */
export function errorHandler(log: (msg: string, err: unknown) => void) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const type = (err as { type?: string } | null)?.type;
    if (type === 'entity.too.large') {
      sendError(res, fail('payload_too_large', 'request body too large').error);
    } else if (type === 'entity.parse.failed') {
      sendError(res, fail('malformed_json', 'request body is not valid JSON').error);
    } else if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      sendError(res, fail('unsupported_media_type', 'unsupported body encoding').error);
    } else if (err instanceof URIError) {
      // The router could not decode a path parameter (/api/incidents/%zz, /open311/v2/%).
      sendError(res, fail('invalid_request', 'the path has malformed percent-encoding').error);
    } else if (isOutOfSpace(err)) {
      // A full disk is the machine's condition, not a bug: say so, on every route, and remember it
      // for GET /api/health. The failed statement's transaction rolled back: nothing was stored.
      log('write failed for lack of space', err);
      noteStorageFailure(req.app, err);
      if (!res.headersSent) {
        res.setHeader('Retry-After', String(STORAGE_RETRY_AFTER_S));
        sendError(res, fail('storage_unavailable', 'the server has no storage space left; nothing was stored, try again later').error);
      }
    } else {
      log('unhandled error', err);
      if (!res.headersSent) {
        res.status(500).json({ error: { code: 'internal_error', message: 'internal error' } } satisfies ApiErrorBody);
      }
    }
  };
}

type Handler = (req: Request, res: Response) => Promise<Result<unknown> | undefined>;

/**
 * Wrap an async route. The handler returns a Result (sent as JSON: 200, or `res.status` set by the
 * handler) or undefined when it wrote the response itself (tiles). Thrown errors are bugs.
 */
export const route =
  (h: Handler) =>
  async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const r = await h(req, res);
      if (r === undefined) return;
      if (r.ok) res.json(r.value);
      else sendError(res, r.error);
    } catch (e) {
      next(e);
    }
  };
