/**
 * Reading fields of JSON written for Go programs. Go's encoding/json matches
 * object keys to struct fields exactly first, then case-insensitively, so
 * `"Auths"` works for docker/cli; we do the same.
 */

/** A plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of `name` in `obj`, matched as Go's encoding/json does. */
export function jsonField(obj: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

/**
 * A string field, undefined when absent or null (Go leaves the field empty),
 * or `false` when it has another type.
 */
export function stringField(
  obj: Record<string, unknown>,
  name: string,
): string | undefined | false {
  const value = jsonField(obj, name);
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : false;
}
