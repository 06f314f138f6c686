/**
 * A fully normalised image reference: the form containerd and `docker pull`
 * resolve to, never the "familiar" short form (`nginx`).
 */
export interface ImageReference {
  /** Registry host with optional port, as written: `docker.io`, `reg:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** Repository path inside the registry: `library/nginx`. */
  readonly repository: string;
  /** Tag; `latest` when the input had neither tag nor digest. */
  readonly tag?: string;
  /** `algorithm:hex`; when present it pins the content and wins over the tag. */
  readonly digest?: string;
}
