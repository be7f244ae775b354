// Driven by measure.html; the same functions the Node scripts use (kdf-cost-lib.mjs, scrub-throughput-lib.mjs).
import { measure as measureKdf } from './kdf-cost-lib.mjs';
import { measure as measureScrub } from './scrub-throughput-lib.mjs';
import { scrubImage } from '../../../functions/TipIntake.Functions/Web/assets/scrub.js';
import { phonePhoto } from '../../TipIntake.Functions.Tests/Web/Scrub/images.mjs';

const out = document.getElementById('out');
const lines = [navigator.userAgent, ''];
const show = (line) => {
  lines.push(line);
  out.textContent = lines.join('\n');
};

/** A 4000×3000 photo-sized JPEG (about 10 MB) that this browser encodes itself, dressed as a phone would. */
async function photo() {
  const canvas = document.createElement('canvas');
  canvas.width = 4000;
  canvas.height = 3000;
  const g = canvas.getContext('2d');
  const image = g.createImageData(4000, 3000);
  let x = 7;
  for (let i = 0; i < image.data.length; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    image.data[i] = ((i / 4) % 4000) / 16 + (x >>> 26) * 3;
    image.data[i + 1] = ((i >> 14) & 0x7F) + ((x >>> 20) & 63) * 2;
    image.data[i + 2] = (x >>> 16) & 0x7F;
    image.data[i + 3] = 255;
  }
  g.putImageData(image, 0, 0);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.96));
  return phonePhoto(new Uint8Array(await blob.arrayBuffer()), { orientation: 6 });
}

show('Key derivation (median ms):');
await measureKdf({ runs: 5, log: (row) => show(`  ${row.kdf.padEnd(20)} ${row.parameters.padEnd(26)} ${row.ms}`) });
show('');
show('Scrubbing, hashing and encrypting a photo:');
show('  ' + JSON.stringify(await measureScrub(scrubImage, await photo(), 9)));
show('done');
