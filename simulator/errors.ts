import { randomUUID } from 'node:crypto';

/** An answer in Octane's error format; thrown by route code and rendered by the server. */
export class OctaneError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly description: string,
    readonly businessError = status < 500
  ) {
    super(`${status} ${errorCode}: ${description}`);
    this.name = 'OctaneError';
  }
}

export interface ErrorBody {
  error_code: string;
  correlation_id: string;
  description: string;
  description_translated: string;
  business_error: boolean;
  stack_trace: string;
  properties: Record<string, unknown>;
}

export function errorBody(errorCode: string, description: string, businessError: boolean): ErrorBody {
  return {
    error_code: errorCode,
    // Octane's correlation ids are opaque; a random one per answer is enough for clients to quote.
    correlation_id: randomUUID().replace(/-/g, '').slice(0, 24),
    description,
    description_translated: description,
    business_error: businessError,
    stack_trace: '',
    properties: {}
  };
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout'
};

export function reason(status: number): string {
  return REASONS[status] ?? 'Error';
}

/** The page a proxy or load balancer in front of Octane answers with. */
export function htmlErrorPage(status: number): string {
  const title = `${status} ${reason(status)}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** A default error_code for a status, for injected faults. */
export function defaultErrorCode(status: number): string {
  if (status === 401) return 'VALIDATION_TOKEN_MISSING';
  if (status === 403) return 'platform.forbidden';
  if (status === 404) return 'platform.not_found';
  if (status === 409) return 'platform.conflict';
  if (status === 429) return 'platform.too_many_requests';
  if (status === 503) return 'platform.service_unavailable';
  if (status >= 500) return 'platform.internal_server_error';
  return 'platform.bad_request';
}
