// IEEE half (F16) and bfloat16 (BF16) <-> float32 conversions, bit-exact both ways: widening is exact,
// narrowing rounds to nearest, ties to even, as PyTorch and the safetensors writers do.

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** Value of one F16 bit pattern (exact: every half is a float32). */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** F16 bit pattern of a number, after rounding it to float32 and then to half (ties to even). */
export function numberToF16Bits(x: number): number {
  scratchF32[0] = x;
  const bits = scratchU32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (e <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit 1 into place, then round.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const remainder = mantissa & ((1 << shift) - 1);
    let h = mantissa >>> shift;
    if (remainder > half || (remainder === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && h & 1)) h++; // a carry may reach infinity: correct
  return sign | h;
}

/** BF16 bit pattern of a number, after rounding it to float32 and then to bfloat16 (ties to even). */
export function numberToBf16Bits(x: number): number {
  scratchF32[0] = x;
  const bits = scratchU32[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40; // keep NaN a NaN
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

let f16Table: Float32Array | undefined;

/** Widens `count` F16 values read little-endian from `src` into `dest` starting at `destOffset`. */
export function decodeF16(src: Uint8Array, dest: Float32Array, destOffset: number, count: number): void {
  // A 65,536-entry table (256 KB) makes widening a lookup: a 1 GB F16 file converts in seconds.
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToNumber(h);
  }
  const table = f16Table;
  for (let i = 0; i < count; i++) dest[destOffset + i] = table[src[2 * i]! | (src[2 * i + 1]! << 8)]!;
}

/** Widens `count` BF16 values (the top half of a float32) into `dest` starting at `destOffset`. */
export function decodeBf16(src: Uint8Array, dest: Float32Array, destOffset: number, count: number): void {
  const out = new Uint32Array(dest.buffer, dest.byteOffset + destOffset * 4, count);
  for (let i = 0; i < count; i++) out[i] = ((src[2 * i]! | (src[2 * i + 1]! << 8)) << 16) >>> 0;
}

/** Narrows `count` values of `src` from `srcOffset` into little-endian 16-bit patterns in `dest`. */
export function encodeHalf(
  format: 'F16' | 'BF16',
  src: Float32Array,
  srcOffset: number,
  count: number,
  dest: Uint8Array,
): void {
  const toBits = format === 'F16' ? numberToF16Bits : numberToBf16Bits;
  for (let i = 0; i < count; i++) {
    const h = toBits(src[srcOffset + i]!);
    dest[2 * i] = h & 0xff;
    dest[2 * i + 1] = h >>> 8;
  }
}
