/**
 * Error codes both the server and the add-in know. Every non-2xx API answer has the body
 * `{ statusCode, code, message, requestId, field? }` where `code` is one of these.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  /** A task's type is not a configured task type, or has been deactivated (field `body.type`). */
  UNKNOWN_TASK_TYPE: 400,
  /** Generic 401: no bearer token, or one we cannot read. */
  UNAUTHENTICATED: 401,
  /** The token is malformed, its signature or algorithm is wrong, its key is unknown, or it is not an access token. */
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  /** `nbf` is in the future (beyond the allowed clock skew). */
  TOKEN_NOT_YET_VALID: 401,
  /** `aud` is not our API (e.g. a Microsoft Graph token). */
  TOKEN_AUDIENCE_INVALID: 401,
  /** `iss` is not the configured issuer for the token's tenant. */
  TOKEN_ISSUER_INVALID: 401,
  /** The token's `tid` is not one of the onboarded tenants. */
  TENANT_NOT_ONBOARDED: 401,
  /** The token does not carry the API's delegated scope (`scp`). */
  SCOPE_MISSING: 401,
  FORBIDDEN: 403,
  /** A valid Entra ID sign-in whose tid+oid is not a CRM user: an admin must provision the user. */
  USER_NOT_PROVISIONED: 403,
  NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  /** A create with this `Idempotency-Key` is still being processed: retry shortly. */
  IDEMPOTENCY_IN_PROGRESS: 409,
  /** A create that looks like an existing client (same email or INN): the answer lists the candidates. */
  DUPLICATE_SUSPECTED: 409,
  /** The record would clash with an existing one (a user's email or alias, a branch code, a region name). */
  ALREADY_EXISTS: 409,
  /** A prospect's INN belongs to an existing client (one INN, one taxpayer): cannot be confirmed away. */
  INN_EXISTS: 409,
  /**
   * A logged Message-ID was sent again with other content by a user who sees none of its clients: nothing is
   * linked (knowing an id is no proof of having the message).
   */
  MESSAGE_ID_CONFLICT: 409,
  /** The task belongs to an open credit stage: its status and assignee change only with the stage. */
  STAGE_TASK: 409,
  /** The change would leave no active user with admin rights (deactivation, role or grant change). */
  LAST_ADMIN: 409,
  /** A user who still has open tasks or managed clients is deactivated only with `reassignTo`. */
  REASSIGNMENT_REQUIRED: 409,
  /** The credit application's route does not allow this move from the current stage (wrong stage, decide first...). */
  CREDIT_TRANSITION_NOT_ALLOWED: 409,
  /** The credit application is closed (declined, refused, disbursed): nothing moves any more. */
  APPLICATION_CLOSED: 409,
  /** A consumer loan's cooling-off period has not ended: the money cannot be paid out yet (banking.md). */
  COOLING_OFF_ACTIVE: 409,
  /** The current stage has no owner yet (its role queue is empty): assign one first. */
  STAGE_UNASSIGNED: 409,
  /** Another active approval route with the same priority takes the same product, currency and amounts. */
  ROUTE_OVERLAP: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The `Idempotency-Key` was already used for a different request body. */
  IDEMPOTENCY_KEY_REUSED: 422,
  /** No active approval route matches the application's product and amount: an admin must add one. */
  NO_APPROVAL_ROUTE: 422,
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
