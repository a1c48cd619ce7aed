/**
 * Error codes both the server and the add-in know. Every non-2xx API answer has the body
 * `{ statusCode, code, message, requestId, field? }` where `code` is one of these.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The JSON body of every error answer. `field` names the offending input (JSON pointer-ish path) for 400s. */
export type ApiErrorBody = {
  statusCode: number;
  code: ErrorCode;
  message: string;
  requestId: string;
  field?: string;
};

/**
 * A failure with a typed code, thrown by services and mapped to HTTP by the one error handler.
 * @param code one of {@link ErrorCode}; the HTTP status follows from it.
 * @param field the request field at fault, when there is one.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.field = field;
  }
  get statusCode(): number {
    return ERROR_STATUS[this.code];
  }
}
