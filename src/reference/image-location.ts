/**
 * Where `image copy` reads and writes, in skopeo's transport syntax:
 * `docker://REF` (a registry), `oci:DIR[:REF]` (an OCI image layout
 * directory), `bundle:FILE[:REF]` (a bundle, read only). As in skopeo's
 * `oci:` transport, the path ends at the first ':' after the transport and
 * the rest (which may hold ':' itself) names the image. Pure.
 */
import { BmpackError } from '../errors.js';

export type ImageLocation =
  | { readonly transport: 'docker'; readonly reference: string }
  | { readonly transport: 'oci'; readonly path: string; readonly name?: string }
  | { readonly transport: 'bundle'; readonly path: string; readonly name?: string };

const hint =
  'Write docker://REGISTRY/REPOSITORY[:TAG|@DIGEST], oci:DIR[:NAME] or bundle:FILE[:NAME].';

export function parseImageLocation(text: string): ImageLocation {
  if (text.startsWith('docker://')) {
    const reference = text.slice('docker://'.length);
    if (reference === '') throw invalid(text, 'docker:// names no image');
    return { transport: 'docker', reference };
  }
  for (const transport of ['oci', 'bundle'] as const) {
    if (!text.startsWith(`${transport}:`)) continue;
    const rest = text.slice(transport.length + 1);
    const colon = rest.indexOf(':');
    const path = colon === -1 ? rest : rest.slice(0, colon);
    const name = colon === -1 ? undefined : rest.slice(colon + 1);
    if (path === '') throw invalid(text, `${transport}: names no path`);
    if (name === '') throw invalid(text, 'the image name after the path is empty');
    return { transport, path, ...(name !== undefined ? { name } : {}) };
  }
  throw invalid(text, 'it names no transport');
}

/** How messages show a location. */
export function formatImageLocation(l: ImageLocation): string {
  if (l.transport === 'docker') return `docker://${l.reference}`;
  return `${l.transport}:${l.path}${l.name !== undefined ? `:${l.name}` : ''}`;
}

function invalid(text: string, what: string): BmpackError {
  return new BmpackError('E_USAGE', `invalid image location ${JSON.stringify(text)}: ${what}`, {
    hint,
  });
}
