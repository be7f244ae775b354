// node tests/TipIntake.Benchmarks/Scripts/scrub-throughput.mjs [--mb 10] [--runs 7]   (docs/benchmarks.md)
// Times the scrubber on a phone photo of --mb megabytes (EXIF with GPS and a thumbnail, XMP, a gain map after EOI),
// then SHA-256 and chunked AES-GCM over the cleaned file, with Node's WebCrypto.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { measure, syntheticPhoto } from './scrub-throughput-lib.mjs';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const root = fileURLToPath(new URL('../../../', import.meta.url));
// Imported from source text so that Node needs no package.json "type" beside the app's asset.
const asModule = (path) => import('data:text/javascript;base64,' + readFileSync(root + path).toString('base64'));
const { scrubImage } = await asModule('functions/TipIntake.Functions/Web/assets/scrub.js');
const images = await import(new URL('../../TipIntake.Functions.Tests/Web/Scrub/images.mjs', import.meta.url));

// The tables and scan header of a real (builder-made) JPEG, dressed as a phone would, around a synthetic scan.
const dressed = images.phonePhoto(images.buildJpeg({ width: 4000, height: 3000 }), { orientation: 6 });
// Walk the segments: the EXIF thumbnail is itself a JPEG, so a plain search for SOS would land inside it.
const scanHeaderEnd = 2 + images.jpegSegments(dressed).reduce((sum, segment) => sum + segment.bytes.length, 0);
const eoi = images.indexOf(dressed, [0xFF, 0xD9], scanHeaderEnd);
const photo = syntheticPhoto(argument('--mb', 10), dressed.subarray(0, scanHeaderEnd), dressed.subarray(eoi));

console.log(`node ${process.version}`);
console.table([await measure(scrubImage, photo, argument('--runs', 7))]);
