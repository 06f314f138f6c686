/**
 * A blob's bytes, in pieces. An async generator rather than a Readable: an
 * upload hands it to the HTTP client as the request body as it is, with no
 * stream in between (each stream hop costs per piece). Stopping early is
 * `return()` (a `for await` that breaks does it).
 */
export type BlobChunks = AsyncGenerator<Buffer, void, undefined>;
