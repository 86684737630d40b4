"""The damaged-file guard: what cdflib would trust blindly is checked before it opens a file.

cdflib trusts the counts in a CDF's global descriptor and loops (or allocates) that many
times, and reads past the end of a cut-off file without noticing. The descriptor is checked
here against the file's size, so that such files fail fast with a clear message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from vires_repo.errors import ProductFileError

_CDF3_MAGIC = bytes.fromhex("cdf30001")
_CDF_MAGICS = (_CDF3_MAGIC, bytes.fromhex("cdf26002"), bytes.fromhex("0000ffff"))
_UNCOMPRESSED_MARK = bytes.fromhex("0000ffff")


@dataclass(frozen=True)
class _DescriptorLayout:
    """Where the global descriptor (GDR) and its fields are: (offset, width) in bytes."""

    gdr_pointer: tuple[int, int]
    record_type: tuple[int, int]
    end_of_file: tuple[int, int]
    counts: tuple[tuple[int, int], ...]  # rVariables, attributes, zVariables
    r_dimensions: tuple[int, int]


# From the CDF internal format description: CDF 3 uses 8-byte offsets, CDF 2 4-byte ones.
_CDF3_LAYOUT = _DescriptorLayout((20, 8), (8, 4), (36, 8), ((44, 4), (48, 4), (60, 4)), (56, 4))
_CDF2_LAYOUT = _DescriptorLayout((16, 4), (4, 4), (20, 4), ((24, 4), (28, 4), (40, 4)), (36, 4))
_GDR_RECORD_TYPE = 2
_MAX_DIMENSIONS = 10
_MIN_DESCRIBED_BYTES = 64  # each variable or attribute descriptor is longer than that


def check_global_descriptor(location: str, path: str) -> None:
    """Check the global descriptor of an uncompressed CDF before cdflib walks the file.

    A cut-off file may still hold the records a reader needs (e.g. the time variable comes
    first), so its size is compared with the end of file the descriptor records. A damaged
    descriptor is refused. Anything else (not a CDF, compressed) is left to cdflib.
    ``location`` names the file in messages.
    """
    with open(path, "rb") as stream:
        head = stream.read(28)
        if head[:4] not in _CDF_MAGICS or head[4:8] != _UNCOMPRESSED_MARK:
            return
        layout = _CDF3_LAYOUT if head[:4] == _CDF3_MAGIC else _CDF2_LAYOUT
        gdr_offset = _field(head, layout.gdr_pointer)
        size = stream.seek(0, os.SEEK_END)
        if len(head) < 28 or not 0 < gdr_offset < size:
            raise ProductFileError(
                f"{location}: corrupt or truncated CDF ({size} bytes, no global descriptor)"
            )
        stream.seek(gdr_offset)
        gdr = stream.read(_field_end(layout))
    if len(gdr) < _field_end(layout):
        raise ProductFileError(f"{location}: truncated CDF ({size} bytes, cut in the header)")
    end_of_file = _field(gdr, layout.end_of_file)
    if end_of_file > size:
        raise ProductFileError(f"{location}: truncated CDF ({size} of {end_of_file} bytes)")
    counts = [_field(gdr, field) for field in layout.counts]
    if (
        _field(gdr, layout.record_type) != _GDR_RECORD_TYPE
        or not 0 <= _field(gdr, layout.r_dimensions) <= _MAX_DIMENSIONS
        or not all(0 <= count <= size // _MIN_DESCRIBED_BYTES for count in counts)
    ):
        raise ProductFileError(f"{location}: corrupt CDF (damaged global descriptor)")


def _field(data: bytes, where: tuple[int, int]) -> int:
    offset, width = where
    return int.from_bytes(data[offset : offset + width], "big", signed=True)


def _field_end(layout: _DescriptorLayout) -> int:
    fields = (layout.record_type, layout.end_of_file, layout.r_dimensions, *layout.counts)
    return max(offset + width for offset, width in fields)
