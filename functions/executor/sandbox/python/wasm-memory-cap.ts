/**
 * Rewrites the maximum of the memory a WebAssembly binary defines.
 * isolated-vm's memoryLimit counts the JS heap only, not WebAssembly
 * memory, so a Python memory bomb would grow the linear memory until the
 * host runs out; with a maximum in the binary, memory.grow fails, malloc
 * returns NULL and CPython raises MemoryError.
 */

const WASM_PAGE_BYTES = 65_536;
const MEMORY_SECTION = 5;

function readLeb(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let next = offset;
  for (;;) {
    const byte = bytes[next++];
    if (byte === undefined) throw new Error('wasm binary ends inside a number');
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next };
    shift += 7;
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return out;
}

/** The binary with its one memory's maximum set to `maxMb` megabytes; throws if its minimum is already larger. */
export function capWasmMemory(binary: Uint8Array, maxMb: number): Uint8Array {
  const maxPages = Math.floor((maxMb * 1024 * 1024) / WASM_PAGE_BYTES);
  let offset = 8;
  while (offset < binary.length) {
    const id = binary[offset]!;
    const size = readLeb(binary, offset + 1);
    const start = size.next;
    const end = start + size.value;
    if (id === MEMORY_SECTION) {
      const count = readLeb(binary, start);
      if (count.value !== 1) throw new Error(`wasm binary defines ${count.value} memories, expected 1`);
      const flags = binary[count.next]!;
      if (flags !== 0 && flags !== 1) throw new Error(`wasm memory has flags ${flags} (shared or 64-bit), which the cap does not handle`);
      const min = readLeb(binary, count.next + 1);
      if (min.value > maxPages) throw new Error(`wasm memory starts at ${min.value} pages, over the cap of ${maxPages} pages (${maxMb} MB)`);
      const payload = [1, 1, ...leb(min.value), ...leb(maxPages)];
      const section = [MEMORY_SECTION, ...leb(payload.length), ...payload];
      const out = new Uint8Array(offset + section.length + (binary.length - end));
      out.set(binary.subarray(0, offset), 0);
      out.set(section, offset);
      out.set(binary.subarray(end), offset + section.length);
      return out;
    }
    offset = end;
  }
  throw new Error('wasm binary defines no memory');
}
