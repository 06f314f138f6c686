/**
 * `bmpack serve`: one or more bundles (a base and its deltas) as one
 * read-only registry, read in place — blobs are served from their byte
 * ranges in the .tar.xz, nothing is extracted. Images are named as push
 * would name them under `namespace`, so `mirror config --private-registry
 * HOST:PORT/NAMESPACE` points nodes at it unchanged.
 */
import { readFile } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { openBundleSource, type BundleSource } from '../bundle-reader/index.js';
import { BmpackError } from '../errors.js';
import type { ProgressListener } from '../events.js';
import { walkFrom } from '../graph/index.js';
import { mapImages } from '../push/target-mapping.js';
import { fallbackRepository } from '../reference/index.js';
import { BundleImageSource, anyRepository } from '../store/index.js';
import { buildCatalogue, type CatalogueImage } from './catalogue.js';
import { loadHtpasswd, type BasicAuth } from './basic-auth.js';
import { LayoutRegistry, rootError } from './layout-registry.js';
import { UploadSessions } from './upload-sessions.js';
import { layoutBlobsReader, writeHandler } from './write-handler.js';
import { bundleBlobs, registryError, registryHandler } from './registry-handler.js';
import { ioError } from '../fs/atomic-file.js';

export interface ServeOptions {
  /** Bundles to serve, read only. */
  readonly sources: readonly string[];
  /** Or: an OCI image layout directory to serve as a registry that accepts pushes. */
  readonly root?: string;
  /** `HOST:PORT`; default 127.0.0.1:5000 (port 0: any free one). */
  readonly listen?: string;
  readonly namespace?: string;
  /** Serve HTTPS with this PEM certificate (chain) and key. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Ask for basic authentication against this htpasswd file (bcrypt entries). */
  readonly htpasswd?: string;
  /** One line per request (no credentials are ever in one). */
  readonly onRequest?: (line: AccessLine) => void;
  readonly onEvent?: ProgressListener;
}

export interface AccessLine {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
}

export interface RunningServe {
  /** `127.0.0.1:PORT`, as clients name it. */
  readonly address: string;
  readonly scheme: 'http' | 'https';
  readonly repositories: number;
  close(): Promise<void>;
}

export async function serveBundles(o: ServeOptions): Promise<RunningServe> {
  if (o.root !== undefined && o.sources.length > 0)
    throw new BmpackError(
      'E_USAGE',
      'serve either bundles (read only) or a registry root, not both',
      {
        hint: 'Push the bundles into the registry root instead: push images into the served address.',
      },
    );
  if (o.root === undefined && o.sources.length === 0)
    throw new BmpackError('E_USAGE', 'nothing to serve: no bundle and no registry root', {
      hint: 'Name the bundles to serve, or a directory for a registry that keeps what is pushed.',
    });
  const served = o.root !== undefined ? await layoutRoot(o.root) : await bundles(o);
  try {
    const auth = o.htpasswd !== undefined ? await loadHtpasswd(o.htpasswd) : undefined;
    const server = await createListener(o, logged(o, guarded(auth, served.handler)));
    server.headersTimeout = 10_000;
    server.requestTimeout = 300_000;
    server.keepAliveTimeout = 30_000;
    const address = await listen(server, o.listen ?? '127.0.0.1:5000');
    return {
      address,
      scheme: o.tls !== undefined ? 'https' : 'http',
      repositories: served.repositories(),
      close: async () => {
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          server.closeIdleConnections();
        });
        await served.close();
      },
    };
  } catch (err) {
    await served.close();
    throw err;
  }
}

interface Served {
  readonly handler: Handler;
  repositories(): number;
  close(): Promise<void>;
}

async function bundles(o: ServeOptions): Promise<Served> {
  const opened: BundleSource[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(opened.map((b) => b.close()));
  };
  try {
    for (const path of o.sources) {
      // Clients check every blob against its digest (distribution-spec "Pulling blobs"): the
      // xz block checks would cost a CPU pass per byte served and could not cover a Range anyway.
      opened.push(await openBundleSource(path, { containerChecks: false }));
      refuseSequential(opened.at(-1));
    }
    const sources = opened.map((b) => new BundleImageSource(b));
    const images = (await Promise.all(sources.map((s, i) => imagesOf(s, opened[i], o)))).flat();
    const catalogue = buildCatalogue(images);
    const handler = registryHandler(catalogue, bundleBlobs(sources));
    return { handler, repositories: () => catalogue.size, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The embedded registry: a layout directory that takes pushes (no referrers API: see layout-registry.ts). */
async function layoutRoot(dir: string): Promise<Served> {
  const registry = await LayoutRegistry.open(dir).catch((err: unknown) => {
    throw err instanceof BmpackError && err.code === 'E_IO' ? err : rootError(dir, err);
  });
  const uploads = new UploadSessions(registry.store);
  const read = registryHandler(registry.catalogue, layoutBlobsReader(registry), false);
  return {
    handler: writeHandler(registry, uploads, read),
    repositories: () => registry.catalogue.size,
    close: () => uploads.close(),
  };
}

/**
 * A foreign .tar.xz written as one xz block can only be decoded from its
 * start: every blob served would decode everything before it.
 */
function refuseSequential(bundle: BundleSource | undefined): void {
  if (bundle === undefined || bundle.randomAccess) return;
  throw new BmpackError(
    'E_BUNDLE_INVALID',
    `${bundle.path} is one xz block: it cannot be read at random, so it cannot be served in place`,
    {
      hint: `Decompress it once (\`xz -dk ${bundle.path}\` writes a plain tar, which is served in place), or recompress it in blocks (\`xz -dc ${bundle.path} | xz -T0 > NEW.tar.xz\`); bmpack's own bundles are always written in blocks.`,
      details: { file: bundle.path },
    },
  );
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** distribution's htpasswd auth: every route, `/v2/` included, needs valid credentials. */
function guarded(auth: BasicAuth | undefined, handler: Handler): Handler {
  if (auth === undefined) return handler;
  return async (req, res) => {
    if ((await auth.check(req.headers.authorization)) !== undefined) return handler(req, res);
    registryError(res, 401, 'UNAUTHORIZED', 'authentication required', {
      'www-authenticate': 'Basic realm="bmpack serve"',
    });
  };
}

/** One access line per request once answered: method, path, status, bytes, time; never a header. */
function logged(o: ServeOptions, handler: Handler): RequestListener {
  return (req, res) => {
    const started = performance.now();
    let bytes = 0;
    const write = res.write.bind(res);
    res.write = ((chunk: Buffer, ...rest: never[]) => {
      bytes += chunk.length;
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.on('finish', () => {
      o.onRequest?.({
        method: req.method ?? '',
        path: (req.url ?? '').slice(0, 300),
        status: res.statusCode,
        bytes,
        ms: Math.round(performance.now() - started),
      });
    });
    handler(req, res).catch(() => res.destroy());
  };
}

/** HTTP, or HTTPS with the given certificate and key (read once, at start). */
async function createListener(o: ServeOptions, listener: RequestListener): Promise<Server> {
  if (o.tls === undefined) return createServer(listener);
  const [cert, key] = await Promise.all(
    [o.tls.certFile, o.tls.keyFile].map((f) =>
      readFile(f).catch((err: unknown) => {
        throw ioError(err, f, 'read');
      }),
    ),
  );
  try {
    return createTlsServer({ cert, key }, listener);
  } catch (err) {
    throw new BmpackError(
      'E_CONFIG_INVALID',
      `cannot serve TLS with ${o.tls.certFile} and ${o.tls.keyFile}: ${err instanceof Error ? err.message : String(err)}`,
      {
        hint: 'Give a PEM certificate (its chain after it) and the PEM private key that belongs to it.',
        cause: err,
        details: { cert: o.tls.certFile, key: o.tls.keyFile },
      },
    );
  }
}

async function imagesOf(
  source: BundleImageSource,
  bundle: BundleSource | undefined,
  o: ServeOptions,
): Promise<CatalogueImage[]> {
  if (bundle === undefined) return [];
  const mapping = mapImages(
    bundle.images,
    { registry: 'serve', namespace: o.namespace ?? '' },
    fallbackRepository(bundle.path),
  );
  for (const message of mapping.warnings) o.onEvent?.({ type: 'warning', message });
  return Promise.all(
    mapping.images.map(async (image) => ({
      repository: image.target.repository,
      ...(image.target.tag !== undefined ? { tag: image.target.tag } : {}),
      graph: await walkFrom(source, anyRepository, image.descriptor, { name: image.source }),
    })),
  );
}

function listen(server: Server, at: string): Promise<string> {
  const m = /^(.*):(\d{1,5})$/.exec(at);
  if (m === null) {
    return Promise.reject(
      new BmpackError('E_USAGE', `cannot listen on ${JSON.stringify(at)}: not HOST:PORT`, {
        hint: 'Write the address as 127.0.0.1:5000 (or 0.0.0.0:5000 to serve the site network).',
      }),
    );
  }
  return new Promise((resolve, reject) => {
    server.once('error', (err) => {
      reject(
        new BmpackError('E_IO', `cannot listen on ${at}: ${err.message}`, {
          hint: 'Choose a free port, or stop what listens there.',
          cause: err,
        }),
      );
    });
    server.listen(Number(m[2]), m[1], () => {
      const a = server.address() as AddressInfo;
      resolve(`${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
    });
  });
}
