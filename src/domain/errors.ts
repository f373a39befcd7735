// An API-level failure: it becomes HTTP 200 with ActionStatus FAIL, this ErrorCode and ErrorInfo.
// The domain throws these; the HTTP edge only formats them.
export class ApiError extends Error {
  constructor(readonly code: number, readonly info: string) {
    super(info);
    this.name = 'ApiError';
  }
}

export const fail = (code: number, info: string): never => {
  throw new ApiError(code, info);
};
