/**
 * Slots of page-aligned memory, for direct writes (direct-io.ts), which
 * want their memory aligned to the device's block.
 *
 * JavaScript cannot ask for aligned memory, nor learn a buffer's address.
 * A WebAssembly memory is aligned all the same: its base is where the
 * engine mapped it (page-aligned: memory is reserved with mmap(2)). Slots
 * are whole multiples of the WebAssembly page (64 KiB), so every slot
 * starts aligned as well.
 *
 * Not shared memory, although the hash worker then gets a copy of each
 * slot: V8 copies into a SharedArrayBuffer with relaxed atomic stores, byte
 * by byte when source and target are not aligned alike (the xz framing's
 * 3-byte headers see to that). Building 1 GB, filling a shared ring took
 * the main thread 0.44 s; filling this one and copying each slot for the
 * worker takes about 0.2 s.
 */

/** What this module uses of the WebAssembly JS API (the compiler's libraries here lack its types). */
declare const WebAssembly: {
  readonly Memory: new (d: { initial: number; maximum: number }) => {
    readonly buffer: ArrayBuffer;
  };
};

/** The WebAssembly page: 64 KiB (WebAssembly Core Specification, "Memory Instances"). */
const wasmPage = 64 * 1024;

export class AlignedRing {
  /** The whole ring, as a Buffer (for Buffer#copy into it). */
  readonly bytes: Buffer;

  constructor(
    readonly slots: number,
    /** Bytes per slot: a multiple of 64 KiB. */
    readonly slotSize: number,
  ) {
    if (slots < 1 || slotSize <= 0 || slotSize % wasmPage !== 0)
      throw new Error(`aligned ring: ${slots} slots of ${slotSize} bytes`);
    const pages = (slots * slotSize) / wasmPage;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.bytes = Buffer.from(memory.buffer);
  }

  /** Slot `i`'s first `length` bytes (the whole slot by default). */
  slot(i: number, length = this.slotSize): Buffer {
    return this.bytes.subarray(i * this.slotSize, i * this.slotSize + length);
  }
}
