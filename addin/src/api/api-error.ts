import type { ApiErrorBody, ErrorCode } from '@crm/shared';

/** Any failed API call: the server's `{statusCode, code, message, requestId, field}` or a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | 'NETWORK';
  readonly requestId: string | null;
  readonly field: string | null;
  /** The whole error body: some errors carry more (409 DUPLICATE_SUSPECTED: `candidates`). */
  readonly body: Record<string, unknown>;

  constructor(
    status: number,
    code: ErrorCode | 'NETWORK',
    message: string,
    requestId: string | null,
    field: string | null,
    body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.field = field;
    this.body = body;
  }

  static async fromResponse(res: Response): Promise<ApiError> {
    let body: Partial<ApiErrorBody> = {};
    try {
      body = (await res.json()) as Partial<ApiErrorBody>;
    } catch {
      /* not JSON (a proxy's HTML page): keep the status */
    }
    const code =
      body.code ??
      (res.status === 401 ? 'UNAUTHENTICATED' : res.status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
    return new ApiError(
      res.status,
      code,
      body.message ?? res.statusText,
      body.requestId ?? null,
      body.field ?? null,
      body as Record<string, unknown>,
    );
  }
}
