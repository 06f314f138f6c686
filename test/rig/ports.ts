/**
 * Free TCP ports on 127.0.0.1, for servers that need their port in a config
 * file before they start (docker-registry). In-process servers should listen on
 * port 0 instead. There is a window between this check and the real bind, so
 * callers that spawn a server retry on "address already in use".
 */
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('freePort: listening socket has no port'));
      });
    });
  });
}
