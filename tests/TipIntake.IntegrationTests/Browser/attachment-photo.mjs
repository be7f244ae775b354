// Makes the phone photo of AttachmentTests with the scrubber suite's own builders (images.mjs): a real JPEG, then the
// same JPEG dressed as a phone stores it (EXIF with GPS, make, model and serials, a thumbnail, XMP, IPTC, a comment,
// C2PA, MPF and a gain map after EOI). Writes JSON: the photo, the plain JPEG's scan data (SOS to EOI) and the values
// planted in the metadata, base64.
import * as img from '../../TipIntake.Functions.Tests/Web/Scrub/images.mjs';

const plain = img.buildJpeg({ width: 96, height: 64 });
const photo = img.phonePhoto(plain, { orientation: 1 });
const base64 = (bytes) => Buffer.from(bytes).toString('base64');
process.stdout.write(JSON.stringify({
  photo: base64(photo),
  scan: base64(img.scanData(plain)),
  secrets: Object.values(img.SECRETS),
}));
