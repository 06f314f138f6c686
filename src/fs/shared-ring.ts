/**
 * Slots of memory that are page-aligned and shared with worker threads: a
 * direct write (direct-io.ts) needs aligned memory, and the hash worker
 * reads the same bytes in place instead of a copy posted to it.
 *
 * JavaScript cannot ask for aligned memory, nor learn a buffer's address.
 * A WebAssembly memory can be both: its base is where the engine mapped it
 * (page-aligned: memory is reserved with mmap(2)) and, declared `shared`,
 * its buffer is a SharedArrayBuffer. Slots are whole multiples of the
 * WebAssembly page (64 KiB), so every slot starts aligned as well.
 */

/** What this module uses of the WebAssembly JS API (the compiler's libraries here lack its types). */
declare const WebAssembly: {
  readonly Memory: new (d: { initial: number; maximum: number; shared: true }) => {
    readonly buffer: SharedArrayBuffer;
  };
};

/** The WebAssembly page: 64 KiB (WebAssembly Core Specification, "Memory Instances"). */
const wasmPage = 64 * 1024;

export class SharedRing {
  readonly memory: SharedArrayBuffer;

  constructor(
    readonly slots: number,
    /** Bytes per slot: a multiple of 64 KiB. */
    readonly slotSize: number,
  ) {
    if (slots < 1 || slotSize <= 0 || slotSize % wasmPage !== 0)
      throw new Error(`shared ring: ${slots} slots of ${slotSize} bytes`);
    const pages = (slots * slotSize) / wasmPage;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.memory = memory.buffer;
  }

  /** Slot `i`'s first `length` bytes (the whole slot by default). */
  slot(i: number, length = this.slotSize): Uint8Array {
    return new Uint8Array(this.memory, i * this.slotSize, length);
  }
}
