import { type ApiErrorBody, AppError, type ErrorCode, FIELD_MESSAGE_KEYWORD } from '@crm/shared';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

type AjvError = {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
  /** With Ajv's `verbose`: the schema that failed (its `x-message` says what the field must be). */
  parentSchema?: Record<string, unknown>;
};

/** What the field must be: the schema's own words for a wrong format, else Ajv's. */
function fieldMessage(e: AjvError | undefined): string {
  const own = e?.parentSchema?.[FIELD_MESSAGE_KEYWORD];
  if (typeof own === 'string' && (e?.keyword === 'pattern' || e?.keyword === 'format')) return own;
  return e?.message ?? 'is invalid';
}

/** Names the field an Ajv error is about, e.g. `body.dueAt`, `querystring.q`, `body.participants.0.role`. */
function fieldOf(context: string | undefined, e: AjvError | undefined): string {
  const parts = (e?.instancePath ?? '').split('/').filter(Boolean);
  const extra = e?.params?.missingProperty ?? e?.params?.additionalProperty;
  if (typeof extra === 'string') parts.push(extra);
  return [context ?? 'body', ...parts].join('.');
}

/**
 * What of a failure goes to the log: for PostgreSQL errors the SQLSTATE and where, never the message
 * (it quotes the offending input, which may be personal data); for others type, message and stack.
 */
function loggable(error: Error): Record<string, unknown> {
  const e = error as Error & {
    code?: unknown;
    routine?: unknown;
    table?: unknown;
    constraint?: unknown;
    severity?: unknown;
  };
  if (typeof e.severity === 'string' && typeof e.code === 'string') {
    return {
      type: 'DatabaseError',
      sqlState: e.code,
      routine: e.routine,
      table: e.table,
      constraint: e.constraint,
      stack: e.stack?.split('\n').slice(1, 6).join('\n'),
    };
  }
  return { type: e.name, message: e.message, stack: e.stack };
}

/**
 * The one error handler: typed `AppError`s map to their status; schema failures become 400
 * VALIDATION_FAILED naming the field; anything else is a 500 whose message is hidden from the caller and
 * logged with the request id. Body: `{ statusCode, code, message, requestId, field? }`.
 */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      let body: ApiErrorBody;
      if (error instanceof AppError) {
        body = {
          statusCode: error.statusCode,
          code: error.code,
          message: error.message,
          requestId: request.id,
        };
        if (error.field) body.field = error.field;
      } else if ((error as FastifyError).validation) {
        const first = (error as FastifyError).validation?.[0] as AjvError | undefined;
        const field = fieldOf((error as FastifyError).validationContext, first);
        body = {
          statusCode: 400,
          code: 'VALIDATION_FAILED',
          message: `${field}: ${fieldMessage(first)}`,
          requestId: request.id,
          field,
        };
      } else {
        const status = (error as FastifyError).statusCode ?? 500;
        if (status >= 500) {
          request.log.error({ err: loggable(error) }, 'request failed');
          body = { statusCode: 500, code: 'INTERNAL', message: 'Internal error', requestId: request.id };
        } else {
          const code: ErrorCode =
            status === 413
              ? 'PAYLOAD_TOO_LARGE'
              : status === 404
                ? 'NOT_FOUND'
                : status === 429
                  ? 'RATE_LIMITED'
                  : status === 415
                    ? 'UNSUPPORTED_MEDIA_TYPE'
                    : 'VALIDATION_FAILED';
          body = { statusCode: status, code, message: error.message, requestId: request.id };
          // Body-level failures (not JSON, empty, too large, a __proto__ key) are about the body as a whole.
          if (status === 400 || status === 413 || status === 415) body.field = 'body';
        }
      }
      // The code only: never the token or the message's context.
      if (body.statusCode === 401 || body.statusCode === 403)
        request.log.info({ code: body.code }, 'refused');
      return reply.status(body.statusCode).type('application/json').send(body);
    });

    app.setNotFoundHandler((request, reply) => {
      const body: ApiErrorBody = {
        statusCode: 404,
        code: 'NOT_FOUND',
        message: `No route ${request.method} ${request.url.split('?')[0]}`,
        requestId: request.id,
      };
      return reply.status(404).send(body);
    });
  },
  { name: 'errors' },
);
