import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
import {
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { FORBIDDEN, INVALID_TRANSITION } from '../workflows/contracts';

/** An error that already knows its HTTP answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** 400 naming each bad field. */
export function validationError(error: z.ZodError, where: 'body' | 'query' | 'header' | 'path'): HttpError {
  const fields = error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : where,
    message: issue.message,
  }));
  return new HttpError(400, `invalid ${where}: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, { fields });
}

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_NOT_FOUND = 5;

function grpcCode(err: unknown): number | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    if (isGrpcServiceError(current)) return current.code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps a Temporal failure to what the caller should be told. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === INVALID_TRANSITION) return new HttpError(409, cause.message);
    if (cause instanceof ApplicationFailure && cause.type === FORBIDDEN) return new HttpError(403, cause.message);
    return new HttpError(409, cause?.message ?? err.message);
  }
  if (err instanceof WorkflowNotFoundError) return new HttpError(404, 'no such incident');
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new HttpError(503, 'the engine did not answer in time; retry with the same Idempotency-Key', { retryAfter: 5 });
  }
  const code = grpcCode(err);
  if (code === GRPC_NOT_FOUND) return new HttpError(404, 'no such incident');
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || err instanceof ServiceError) {
    return new HttpError(503, 'Temporal is unreachable or did not answer in time', { retryAfter: 5 });
  }
  if (err instanceof Error && /deadline|timed? ?out|unavailable|ECONNREFUSED/i.test(err.message)) {
    return new HttpError(503, 'Temporal is unreachable or did not answer in time', { retryAfter: 5 });
  }
  return new HttpError(500, 'internal error');
}

export const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  const body = err as { type?: string; status?: number };
  if (body?.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'body is not valid JSON', fields: [{ field: 'body', message: 'not valid JSON' }] });
    return;
  }
  if (body?.type === 'entity.too.large') {
    res.status(413).json({ error: 'body too large' });
    return;
  }
  const http = toHttpError(err);
  if (http.status >= 500 && http.status !== 503) console.error('unexpected error:', err);
  if (typeof http.details.retryAfter === 'number') res.setHeader('Retry-After', String(http.details.retryAfter));
  // RFC 9110 §11.6.1: a 401 says how to authenticate.
  if (http.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="claims-incidents"');
  const { retryAfter: _ignored, ...details } = http.details;
  res.status(http.status).json({ error: http.message, ...details });
};
