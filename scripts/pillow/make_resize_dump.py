#!/usr/bin/env python3
"""Writes Pillow's Image.resize outputs for every resampling filter, for the Java Resize tests.

  /usr/bin/python3 make_resize_dump.py OUT.safetensors

Inputs are drawn here (seeded): `input.<name>` U8 [H, W, 3]. For every input, every filter code
0..5 (nearest, Lanczos, bilinear, bicubic, box, Hamming) and every target size of TARGETS:
`resized.<name>.<code>.<W>x<H>` U8 [H', W', 3] = Image.fromarray(input).resize((W', H'), code).
The metadata records Pillow's and NumPy's versions. Byte-identical on every run.
"""

import json
import struct
import sys

import numpy as np
import PIL
from PIL import Image


def draw_inputs():
    """A noise image, and a structured one with gradients, 1-pixel stripes and a checkerboard."""
    rng = np.random.RandomState(20240611)
    noise = rng.randint(0, 256, size=(17, 23, 3), dtype=np.uint8)
    h, w = 31, 40
    y, x = np.mgrid[0:h, 0:w]
    structured = np.zeros((h, w, 3), dtype=np.uint8)
    structured[..., 0] = (x * 255 // (w - 1)).astype(np.uint8)           # horizontal ramp
    structured[..., 1] = np.where(x % 2 == 0, 255, 0).astype(np.uint8)   # 1-pixel vertical stripes
    structured[..., 2] = np.where((x + y) % 2 == 0, 240, 15).astype(np.uint8)   # checkerboard
    structured[20:, :, 1] = (y[20:] * 20).astype(np.uint8)               # a vertical ramp below
    # a two-pixel row: nearest upscales it to 7 where the accumulated position (3.5 * 2/7 summed
    # step by step) falls just below 1.0, so Pillow picks pixel 0 where (i + 0.5) * step picks 1
    pair = np.array([[[10, 20, 30], [200, 150, 100]]], dtype=np.uint8)
    return {"noise-23x17": noise, "structured-40x31": structured, "pair-2x1": pair}


TARGETS = {
    "noise-23x17": [(9, 7), (37, 29), (41, 12), (23, 9), (5, 17), (1, 1)],
    "structured-40x31": [(13, 11), (64, 50), (17, 31), (40, 7), (3, 60)],
    "pair-2x1": [(7, 1), (7, 3), (15, 2)],
}


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        blob = array.tobytes()
        header[name] = {"dtype": "U8", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for blob in blobs:
            out.write(blob)


def main(path):
    tensors = {}
    for name, pixels in draw_inputs().items():
        tensors["input." + name] = pixels
        image = Image.fromarray(pixels, "RGB")
        for width, height in TARGETS[name]:
            for code in range(6):
                resized = np.asarray(image.resize((width, height), resample=code))
                assert resized.shape == (height, width, 3)
                tensors["resized.%s.%d.%dx%d" % (name, code, width, height)] = resized
    metadata = {"pillow_version": PIL.__version__, "numpy_version": np.__version__,
                "made_by": "scripts/pillow/make_resize_dump.py"}
    write_safetensors(path, tensors, metadata)
    print("wrote %d tensors to %s" % (len(tensors), path))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
