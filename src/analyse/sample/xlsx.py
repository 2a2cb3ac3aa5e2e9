"""Workbooks whose bytes depend on their cells only, so the sample is byte-for-byte reproducible."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook


def reproducible_xlsx(workbook: Workbook, timestamp: dt.datetime) -> bytes:
    """Save ``workbook`` with every clock in it pinned to ``timestamp``.

    openpyxl stamps the save time into docProps/core.xml and every zip entry; both are pinned.
    """
    workbook.properties.creator = "analyse sample"
    workbook.properties.created = timestamp
    raw = io.BytesIO()
    workbook.save(raw)
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            entry = zipfile.ZipInfo(info.filename, date_time=timestamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)
    return out.getvalue()
