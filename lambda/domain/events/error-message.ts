/**
 * An error's message, read by shape rather than class: errors thrown by Node built-ins (zlib) may come
 * from another realm (jest, vm), where `instanceof Error` is false.
 */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
