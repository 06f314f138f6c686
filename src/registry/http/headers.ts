/** Read a response header as one string (undici may give string[]). */
import type { IncomingHttpHeaders } from 'undici/types/header.js';

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (Array.isArray(value)) return value.join(', ');
  return value;
}

/** All values of a header that may repeat (WWW-Authenticate). */
export function headerValues(headers: IncomingHttpHeaders, name: string): string[] {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
