/**
 * Thumbnails are made by area-averaging the full-size RGBA pixels and encoding a PNG here, which
 * avoids a second SVG parse, font load and rasterisation in resvg (about half the render cost).
 */
import zlib from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes 8-bit RGBA pixels (row-major, no padding) as a PNG. */
export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none (deflate does well enough on chart images)
    Buffer.from(rgba.buffer, rgba.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))]);
}

/** Area-average (box filter) downscale of RGBA pixels to the given width, keeping the aspect ratio. */
export function downscaleRgba(rgba: Uint8Array, width: number, height: number, targetWidth: number): { pixels: Uint8Array; width: number; height: number } {
  const tw = Math.max(1, Math.min(width, Math.round(targetWidth)));
  const th = Math.max(1, Math.round((height * tw) / width));
  const out = new Uint8Array(tw * th * 4);
  const sx = width / tw;
  const sy = height / th;
  const acc = new Float64Array(4);
  for (let ty = 0; ty < th; ty++) {
    const y0 = ty * sy;
    const y1 = y0 + sy;
    for (let tx = 0; tx < tw; tx++) {
      const x0 = tx * sx;
      const x1 = x0 + sx;
      acc.fill(0);
      let wsum = 0;
      for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); x++) {
          const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
          const p = (y * width + x) * 4;
          acc[0] = acc[0]! + w * rgba[p]!;
          acc[1] = acc[1]! + w * rgba[p + 1]!;
          acc[2] = acc[2]! + w * rgba[p + 2]!;
          acc[3] = acc[3]! + w * rgba[p + 3]!;
          wsum += w;
        }
      }
      const q = (ty * tw + tx) * 4;
      for (let c = 0; c < 4; c++) out[q + c] = Math.round(acc[c]! / wsum);
    }
  }
  return { pixels: out, width: tw, height: th };
}
