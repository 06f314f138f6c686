/**
 * The images of an OCI image layout (image-spec v1.1.1 image-layout.md):
 * `oci-layout` must name a layout version we read, and every descriptor of
 * `index.json` is one image, named by `io.containerd.image.name` (containerd,
 * docker 25+: the full reference) or else `org.opencontainers.image.ref.name`
 * (skopeo, crane, regctl: a full reference, a path with a tag, or a bare
 * tag), passed through exactly as written. A descriptor may point at a
 * nested index. Pure.
 */
import { BmpackError } from '../errors.js';
import { isRecord, parseDescriptor } from '../oci/descriptor.js';
import type { SourceImage } from './bundle-source.js';
import { ArchiveFormatError } from '../bundle-format/index.js';

export const containerdNameAnnotation = 'io.containerd.image.name';
export const refNameAnnotation = 'org.opencontainers.image.ref.name';

/** Checks the parsed `oci-layout` file. */
export function checkOciLayout(value: unknown): void {
  const version = isRecord(value) ? value.imageLayoutVersion : undefined;
  if (typeof version !== 'string') {
    throw new ArchiveFormatError('oci-layout has no imageLayoutVersion');
  }
  // image-layout.md: the version is 1.0.0; a 1.x minor would still be readable.
  if (!/^1\.\d+\.\d+$/.test(version)) {
    throw new ArchiveFormatError(`oci-layout has imageLayoutVersion ${version}, not 1.x`);
  }
}

/**
 * The images `index.json` (already parsed) lists, in its order. Unnamed
 * entries are refused (an archive's images are pushed by name) unless
 * `unnamed` keeps them, named '' (a layout directory read like skopeo's
 * `oci:DIR`, where one unnamed image is chosen by being the only one).
 */
export function imagesFromIndex(
  value: unknown,
  unnamed: 'refuse' | 'keep' = 'refuse',
): SourceImage[] {
  if (!isRecord(value) || !Array.isArray(value.manifests)) {
    throw new ArchiveFormatError('index.json has no "manifests" array');
  }
  return value.manifests.map((entry: unknown, i): SourceImage => {
    const where = `index.json manifests[${i}]`;
    let descriptor;
    try {
      descriptor = parseDescriptor(entry, where);
    } catch (err) {
      if (!(err instanceof BmpackError)) throw err;
      throw new ArchiveFormatError(err.message, { cause: err });
    }
    const name =
      descriptor.annotations?.[containerdNameAnnotation] ??
      descriptor.annotations?.[refNameAnnotation];
    if ((name === undefined || name === '') && unnamed === 'keep') return { name: '', descriptor };
    if (name === undefined || name === '') {
      throw new ArchiveFormatError(`${where} (${descriptor.digest}) has no image name`, {
        hint: `Every image in index.json needs an ${containerdNameAnnotation} or ${refNameAnnotation} annotation to be pushed under a name: write the layout with one, for example \`skopeo copy SRC oci:DIR:NAME\`.`,
      });
    }
    return { name, descriptor };
  });
}
