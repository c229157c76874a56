"""OCR of scans with RapidOCR (PaddleOCR PP-OCRv4 Chinese models, bundled in its PyPI wheel).

Measured on the fixture's scanned pages (README "Reading files"): RapidOCR read
82 of 200 table cells right through the text parser, tesseract ``chi_sim`` 14,
at roughly 3x RapidOCR's speed; Chinese table labels are where tesseract fails.
The models ship inside ``rapidocr_onnxruntime`` (no download at run time).

OCR text is laid out as lines: boxes whose vertical centres fall within one
another's height form a line, read left to right with tabs between boxes, so
the text table parser sees one table row a line.
"""

from __future__ import annotations

import io
from functools import lru_cache

from harvester.extract.files.base import FileText, tidy_text
from harvester.extract.files.limits import (
    MAX_IMAGE_PIXELS,
    MAX_OCR_PAGES,
    UnreadableFile,
    check_size,
)

#: Boxes recognised with less confidence than this are dropped: below it the
#: models mostly read ruling lines and stamps as characters.
MIN_CONFIDENCE = 0.5
#: Scans larger than this (longest side, px) are shrunk first: detection costs
#: grow with the area and 2500 px keeps an A4 page near 200 dpi.
MAX_SIDE = 2500


@lru_cache(maxsize=1)
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def ocr_image(image) -> str:
    """Text of one page image (PIL), one detected line per line, boxes tab-separated."""
    import numpy as np

    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise UnreadableFile(f"image of {image.width}x{image.height} px is over the {MAX_IMAGE_PIXELS} pixel limit")
    if max(image.size) > MAX_SIDE:
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    result, _elapsed = _engine()(np.asarray(image.convert("RGB")))
    return boxes_to_lines(result or [])


def boxes_to_lines(result: list) -> str:
    """RapidOCR boxes ``[points, text, confidence]`` to lines in reading order.

    >>> boxes_to_lines([[[[50, 10], [90, 10], [90, 30], [50, 30]], "21", 0.9],
    ...                 [[[0, 12], [40, 12], [40, 28], [0, 28]], "新收", 0.9],
    ...                 [[[0, 40], [40, 40], [40, 60], [0, 60]], "总计", 0.9]])
    '新收\\t21\\n总计'
    """
    boxes = []
    for points, text, confidence in result:
        if float(confidence) < MIN_CONFIDENCE or not str(text).strip():
            continue
        ys = [p[1] for p in points]
        xs = [p[0] for p in points]
        boxes.append((min(ys), max(ys), min(xs), str(text).strip()))
    boxes.sort()
    lines: list[list[tuple[float, str]]] = []
    line_bottom = float("-inf")
    for top, bottom, left, text in boxes:
        if lines and (top + bottom) / 2 <= line_bottom:
            lines[-1].append((left, text))
            line_bottom = max(line_bottom, (top + bottom) / 2 + (bottom - top) / 4)
        else:
            lines.append([(left, text)])
            line_bottom = bottom
    return "\n".join("\t".join(text for _left, text in sorted(line)) for line in lines)


def read_image(body: bytes, ocr=ocr_image) -> FileText:
    """A scanned page (PNG, JPEG, TIFF with its frames, GIF, BMP) read by OCR."""
    from PIL import Image, UnidentifiedImageError

    check_size(body, "image")
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = Image.open(io.BytesIO(body))
        frames = getattr(image, "n_frames", 1)
        texts = []
        for index in range(min(frames, MAX_OCR_PAGES)):
            image.seek(index)
            texts.append(ocr(image.copy()))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise UnreadableFile(f"not a readable image ({str(exc)[:100]})") from None
    notes = [f"text of {len(texts)} image page(s) read by OCR"]
    if frames > MAX_OCR_PAGES:
        notes.append(f"OCR stopped after {MAX_OCR_PAGES} pages; {frames - MAX_OCR_PAGES} not read")
    return FileText(text=tidy_text(texts), html_tables=None, pages=frames, notes=notes, source_type="image",
                    ocr_pages=len(texts))
