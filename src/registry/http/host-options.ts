/**
 * Per-registry connection settings, cf. regclient config/host.go. Keys are
 * registry hosts as written in references (`10.0.0.5:5000`, `gcr.io`).
 */

export interface HostOptions {
  /** Speak plain HTTP. Only when asked: never a silent downgrade. */
  readonly plainHttp?: boolean;
  /** PEM file of a CA to trust for this registry, in addition to the system roots. */
  readonly caFile?: string;
  /** Do not verify the server certificate. Only when asked. */
  readonly skipVerify?: boolean;
  /**
   * Docker's "insecure registry": HTTPS without certificate verification,
   * falling back to plain HTTP when the registry does not speak TLS.
   */
  readonly insecure?: boolean;
}

export type HostOptionsMap = Readonly<Record<string, HostOptions>>;

/** The key of a map's settings for every registry it does not name. */
export const anyRegistry = '*';

export function hostOptionsFor(map: HostOptionsMap | undefined, registry: string): HostOptions {
  return map?.[registry] ?? map?.[anyRegistry] ?? {};
}
