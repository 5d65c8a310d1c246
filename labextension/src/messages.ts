/** A readable message for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/** The HTTP status of a failed API call, when it has one. */
export function statusOf(error: unknown): number | null {
  const response = (error as { response?: { status?: unknown } } | null)
    ?.response;
  return typeof response?.status === 'number' ? response.status : null;
}
