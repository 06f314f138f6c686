/**
 * kubelet's way into containerd: the CRI ImageService over containerd's
 * gRPC socket (k8s.io/cri-api runtime.v1, vendored as test/mirror/cri/api.proto),
 * with @grpc/grpc-js. A pull through it goes through the CRI plugin's
 * registry configuration (config_path, registry.configs), which `ctr`
 * never reads.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const protoFile = fileURLToPath(new URL('./cri/api.proto', import.meta.url));

interface PullImageResponse {
  readonly image_ref: string;
}

type Unary<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response?: Res) => void,
) => grpc.ClientUnaryCall;

interface ImageServiceClient extends grpc.Client {
  PullImage: Unary<{ image: { image: string } }, PullImageResponse>;
}

export interface CriImages {
  /** PullImage as kubelet sends it; resolves to the image_ref containerd answers. */
  pull(image: string, timeoutMs?: number): Promise<string>;
  close(): void;
}

function isImageServiceClient(value: unknown): value is ImageServiceClient {
  return (
    value instanceof grpc.Client &&
    typeof (value as { PullImage?: unknown }).PullImage === 'function'
  );
}

export function criImages(socket: string): CriImages {
  const definition = protoLoader.loadSync(protoFile, { keepCase: true, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    runtime: { v1: { ImageService: grpc.ServiceClientConstructor } };
  };
  const client: unknown = new loaded.runtime.v1.ImageService(
    `unix://${socket}`,
    grpc.credentials.createInsecure(),
  );
  if (!isImageServiceClient(client)) throw new Error('the CRI proto has no ImageService.PullImage');
  return {
    pull: (image, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        client.PullImage(
          { image: { image } },
          new grpc.Metadata(),
          { deadline: Date.now() + timeoutMs },
          (err, res) => {
            if (err !== null) reject(err);
            else resolve(res?.image_ref ?? '');
          },
        );
      }),
    close: () => {
      client.close();
    },
  };
}
