// The byte-level alphabet of GPT-2-style BPE tokenizers (Qwen2's too): every byte is a visible
// character, so any UTF-8 text tokenizes without an unknown token and decodes back exactly.

/** Qwen2's pre-tokenizer split regex, verbatim from its tokenizer.json (Oniguruma syntax). */
export const QWEN2_SPLIT_REGEX =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards. */
export const BYTE_ALPHABET: readonly string[] = (() => {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable(b) ? b : next++));
})();

const utf8 = new TextEncoder();

/** A text in the byte-level alphabet (what a ByteLevel pre-tokenizer produces), e.g. " é" → "ĠÃ©". */
export function byteLevel(text: string): string {
  return Array.from(utf8.encode(text), (b) => BYTE_ALPHABET[b]!).join('');
}
