// Makes test vectors with Web/assets/attachment-crypto.js for AttachmentScriptTests, which decrypts them with the
// C# ChunkCipher, UploadDigest and AttachmentDecryptor. Reads {jwk, cases: [{size, chunkBytes}]} on stdin, writes one
// JSON line per case: the plaintext, the ciphertext chunks joined, and what the tip's entry says.
import { base64Url, manifestEntry, newUploadId, sealFile } from './attachment-crypto.js';

const LAYOUT = JSON.parse(process.argv[2]);
const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

for (const { size, chunkBytes } of input.cases) {
  const file = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) {
    globalThis.crypto.getRandomValues(file.subarray(i, Math.min(size, i + 65536)));
  }
  const sealed = await sealFile(file, { uploadId: newUploadId(), chunkBytes, layout: LAYOUT, jwk: input.jwk });
  const chunks = [];
  for (let i = 0; i < sealed.chunks; i++) {
    chunks.push((await sealed.chunk(i)).bytes);
  }
  const entry = manifestEntry(sealed, base64Url(await sealed.digest()), { type: 'application/pdf', name: 'document-1.pdf', handling: 'unchecked', removed: [] });
  process.stdout.write(JSON.stringify({
    entry,
    plaintext: Buffer.from(file).toString('base64'),
    ciphertext: Buffer.concat(chunks).toString('base64'),
  }) + '\n');
}
