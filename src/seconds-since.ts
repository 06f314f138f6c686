/** Seconds since `started` (a performance.now() reading), to the hundredth, as results report them. */
export function secondsSince(started: number): number {
  return Math.round((performance.now() - started) / 10) / 100;
}
