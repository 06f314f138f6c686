// V8 garbage-collection flags for bmpack's workload: why, below.
import { setFlagsFromString } from 'node:v8';

/**
 * bmpack moves gigabytes through short-lived buffers: every socket read is
 * a fresh 64 KiB ArrayBuffer that dies within milliseconds. By default V8
 * answers each ~16-64 MB of such external memory with a full mark-compact
 * (80-160 per GB for bundle create, 1.1 s of its main thread and 2 s of
 * CPU in all), although a scavenge frees them: they die young. So external
 * memory counts against the heap's global limit instead of triggering
 * collections of its own, and the young generation keeps its initial size
 * (growth factor 1) so that scavenges come often, each cheap, and free the
 * dead buffers' memory soon. Measured on the 1 GB scale bench: create's
 * user CPU 5.2 -> 3.0 s, peak RSS about the same (~200-230 MB); without
 * the second flag the dead buffers wait longer and RSS reached 300 MB.
 * Buffers that do outlive a scavenge (held across a few awaits) pile up in
 * the old generation until a mark-compact, which by default waits for the
 * heap and external memory to double: on the 8 GB create, ArrayBuffers
 * grew from 58 to 135 MB over 18 s and peak RSS reached 321-353 MB. A
 * growing factor of 1.5 (--heap-growing-percent=50) collects them sooner:
 * 262-280 MB, the same wall time.
 * Both are read as the heap runs, so they take effect when set at start:
 * bin/run.js sets them before it loads bmpack (so that the young
 * generation has not grown yet, and the code cache is made and read under
 * the same flags); the single executable, whose entry is bmpack.cjs, in
 * bin/single-file.js. On Node 22 (V8 12.4) V8's defaults stay.
 */
export function tuneGarbageCollection() {
  for (const flag of gcFlagsFor(process.versions.v8)) setFlagsFromString(flag);
}

/**
 * The flags for a V8 version: none before 13.6 (Node 24), which has the
 * first; an older V8 would print "unrecognized flag" on every run.
 */
export function gcFlagsFor(v8Version) {
  const [major = 0, minor = 0] = v8Version.split('.').map(Number);
  if (major * 100 + minor < 1306) return [];
  return [
    '--external-memory-accounted-in-global-limit',
    '--semi-space-growth-factor=1',
    '--heap-growing-percent=50',
  ];
}
