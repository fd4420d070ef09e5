/**
 * The closed catalogue of problem codes. A code never changes its status; clients may switch on
 * `code`. `docs/errors.md` lists them and the OpenAPI document shares the problem shape.
 */
export const errorCatalogue = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_body: { status: 400, title: 'The request body could not be parsed' },
  link_invalid: { status: 400, title: 'This link is not valid' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  invalid_credentials: { status: 401, title: 'The agency, email or password is wrong' },
  invalid_token: { status: 401, title: 'The token is invalid or expired' },
  forbidden: { status: 403, title: 'Your role does not allow this' },
  insufficient_scope: { status: 403, title: 'The API key lacks the scope for this' },
  signup_disabled: { status: 403, title: 'Sign-up is turned off' },
  not_found: { status: 404, title: 'The resource does not exist' },
  route_not_found: { status: 404, title: 'No such route' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  previously_erased: { status: 409, title: 'This person was erased at their request' },
  idempotency_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  idempotency_answer_lost: { status: 409, title: 'The request with this Idempotency-Key made its change, but its answer was lost' },
  precondition_failed: { status: 412, title: 'The resource changed since you read it' },
  already_exists: { status: 409, title: 'The resource already exists' },
  link_expired: { status: 410, title: 'This link has expired' },
  link_used: { status: 410, title: 'This link was already used' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The content type is not supported' },
  unprocessable: { status: 422, title: 'The request cannot be processed' },
  idempotency_key_reused: { status: 422, title: 'This Idempotency-Key was used with another request' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Something went wrong on our side' },
  service_unavailable: { status: 503, title: 'The service is unavailable, try again shortly' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FieldError {
  /** Dotted path of the offending field, prefixed by where it was: `body.email`, `query.limit`. */
  field: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: ErrorCode;
  readonly errors: FieldError[];
  readonly extra: Record<string, unknown>;
  constructor(code: ErrorCode, detail?: string, errors: FieldError[] = [], extra: Record<string, unknown> = {}) {
    super(detail ?? errorCatalogue[code].title);
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.errors = errors;
    this.extra = extra;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
