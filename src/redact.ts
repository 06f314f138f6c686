/**
 * Keep secrets out of messages. URLs lose their userinfo and any query
 * parameter that can carry a credential; free text loses registered secrets.
 */

const sensitiveParams =
  /^(x-amz-.*|x-goog-.*|sig|signature|token|access_token|password|secret|x-ms-.*|se|sp|sv|sr|st|skoid)$/i;

/** A URL safe to print: no userinfo, and sensitive query values replaced. */
export function redactUrl(input: string | URL): string {
  let url: URL;
  try {
    url = new URL(input.toString());
  } catch {
    return '<unparseable url>';
  }
  url.username = '';
  url.password = '';
  for (const key of [...url.searchParams.keys()]) {
    if (sensitiveParams.test(key)) url.searchParams.set(key, 'REDACTED');
  }
  return url.toString();
}

const secrets = new Set<string>();

/** Register a secret (password, token) so that {@link redactText} hides it. */
export function registerSecret(secret: string | undefined): void {
  if (secret !== undefined && secret.length >= 4) secrets.add(secret);
}

/** Replace every registered secret in `text` with `***`. */
export function redactText(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}
