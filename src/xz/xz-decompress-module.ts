/**
 * The XzReadableStream class of xz-decompress, however the package gets
 * loaded. It is a webpack UMD bundle that marks its exports `__esModule`:
 * Node's ESM loader cannot see its named export and offers module.exports as
 * the default, while CommonJS-style interop (tsx under mocha) gives the named
 * export and no default. Looking in both places works under each.
 */
import * as xzDecompress from 'xz-decompress';

type XzReadableStreamClass = typeof xzDecompress.XzReadableStream;

const loaded = xzDecompress as unknown as {
  XzReadableStream?: XzReadableStreamClass;
  default?: { XzReadableStream?: XzReadableStreamClass };
};

const found = loaded.XzReadableStream ?? loaded.default?.XzReadableStream;
if (found === undefined) throw new Error('xz-decompress does not export XzReadableStream');

/** xz-decompress's decoding web stream: compressed bytes in, uncompressed bytes out. */
export const XzReadableStream: XzReadableStreamClass = found;
