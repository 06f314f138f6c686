// A registry in memory holding one tiny image, for bin/package.js: the code
// cache of the single file is taken after a real `push images` re-run
// against it (what a field team repeats), so that the functions such a run
// needs are compiled already. Not a registry for anything else: it serves
// GETs and HEADs of one image under any repository name, and opens and
// cancels upload sessions (push's repository-name preflight), nothing more.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function image() {
  const layer = Buffer.from('bmpack warm-up layer\n');
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: sha256(layer),
          size: layer.length,
        },
      ],
    }),
  );
  return { layer, config, manifest };
}

/** Starts it on 127.0.0.1; `host` is HOST:PORT, the image is `HOST/warm/up:1`. */
export async function startWarmUpRegistry() {
  const { layer, config, manifest } = image();
  const blobs = new Map([layer, config].map((b) => [sha256(b), b]));
  const manifestType = 'application/vnd.oci.image.manifest.v1+json';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status, body, type) => {
      res.writeHead(status, {
        'content-type': type,
        'content-length': body.length,
        'docker-distribution-api-version': 'registry/2.0',
        ...(status === 200 && path !== '/v2/' ? { 'docker-content-digest': sha256(body) } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const m = /^\/v2\/.+\/(manifests|blobs)\/([^/]+)$/.exec(path);
    const uploads = /^\/v2\/.+\/blobs\/uploads\/(warm-up)?$/.exec(path);
    if (uploads !== null && req.method === 'POST' && uploads[1] === undefined) {
      res.writeHead(202, { location: `${path}warm-up`, 'content-length': 0 });
      res.end();
    } else if (uploads !== null && req.method === 'DELETE') {
      res.writeHead(204);
      res.end();
    } else if (path === '/v2/') send(200, Buffer.from('{}'), 'application/json');
    else if (m?.[1] === 'manifests' && (m[2] === '1' || m[2] === sha256(manifest)))
      send(200, manifest, manifestType);
    else if (m?.[1] === 'blobs' && blobs.has(m[2]))
      send(200, blobs.get(m[2]), 'application/octet-stream');
    else
      send(
        404,
        Buffer.from('{"errors":[{"code":"NAME_UNKNOWN","message":"unknown"}]}'),
        'application/json',
      );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    host: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
