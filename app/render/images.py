"""Photos in a report, at print resolution (issue 11, defect 6.3).

A report prints an attached photo as a thumbnail 28 mm high; WeasyPrint embedded the file as it
was, so a 12,000 × 12,000 PNG took 26 s and 1.3 GB. Now:

- :func:`probe` reads only the image's header: an image larger than :data:`MAX_PIXELS` or one that
  cannot be read is listed by name, never decoded;
- :func:`for_print` (while the report model is built, off the GUI thread) probes it, then decodes
  the rest — a JPEG at a fraction of its size, which libjpeg does for nearly nothing — and scales
  it to at most :data:`PRINT_PIXELS` on its longer side, rotated as the camera recorded. The model
  keeps only that (≈100 KB a photo), never the file: a round may have hundreds of photos.
"""

from __future__ import annotations

import io
import math
import warnings

__all__ = ["MAX_PIXELS", "PRINT_PIXELS", "ImageProblem", "for_print", "probe"]

#: Larger images are not decoded: a 64-megapixel RGB image is ≈200 MB in memory (a phone's
#: 50-megapixel photo still prints).
MAX_PIXELS = 64_000_000
#: Longest side of an image in the PDF: a thumbnail is at most ≈60 × 28 mm, i.e. 700 × 330 pixels
#: at 300 dpi; this leaves room for a larger layout, and a 4,000 × 3,000 JPEG decodes at 1/4.
PRINT_PIXELS = 1000


class ImageProblem(ValueError):
    """Why an attachment is not printed as a picture (in Chinese, for the report)."""


def _open(data: bytes):
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            raise ImageProblem("图片过大") from None
        except Exception:  # Pillow raises many kinds for a damaged or unknown file
            raise ImageProblem("图片无法读取") from None


def probe(data: bytes) -> tuple[int, int]:
    """The image's (width, height), from its header only. Raises ImageProblem."""
    image = _open(data)
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageProblem("图片无法读取")
    if width * height > MAX_PIXELS:
        raise ImageProblem("图片过大")
    return width, height


def for_print(data: bytes) -> tuple[bytes, str]:
    """The image scaled to print resolution: (bytes, media type), JPEG for photos, PNG for images
    with transparency or a palette. Raises ImageProblem."""
    from PIL import Image, ImageOps

    probe(data)
    image = _open(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            if image.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 size: most of the saving
                scale = PRINT_PIXELS / max(image.size)
                image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PRINT_PIXELS, PRINT_PIXELS), Image.Resampling.LANCZOS)
        except Exception:
            raise ImageProblem("图片无法读取") from None
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        image.convert("RGBA").save(out, "PNG", optimize=False)
        return out.getvalue(), "image/png"
    image.convert("RGB").save(out, "JPEG", quality=88)
    return out.getvalue(), "image/jpeg"
