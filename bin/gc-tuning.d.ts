/** Sets bmpack's V8 garbage-collection flags for this process (none on a V8 before 13.6). */
export function tuneGarbageCollection(): void;
/** The flags for a V8 version string such as process.versions.v8. */
export function gcFlagsFor(v8Version: string): string[];
