"""Magnetic-model text files copied as they are (MCO/MLI SHC, MIO) plus the CHAOS core zip.

The copy keeps the VirES form: the file under its cached name and a ``<name>.source`` side file
with the source product id. Each file is checked first, so a truncated or foreign file is
refused instead of being served.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from vires_repo.cached_products.selection import newest_version_first, select_latest
from vires_repo.cached_products.sources import basename, product_id, read_bytes
from vires_repo.errors import ProductFileError

SOURCE_SUFFIX = ".source"
CHAOS_CORE_TYPE = "MCO_SHA_2X"
CHAOS_CORE_MAX_GAP = timedelta(seconds=1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member time: same inputs, same zip bytes


@dataclass(frozen=True)
class ShcHeader:
    min_degree: int
    max_degree: int
    time_count: int


def _numbers(line: str) -> list[float] | None:
    try:
        return [float(token) for token in line.split()]
    except ValueError:
        return None


def _data_lines(text: str) -> list[tuple[int, str]]:
    return [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _check_rows(
    rows: list[tuple[int, str]], name: str, expected_rows: int, width: int, what: str
) -> None:
    """Coefficient rows: exactly ``expected_rows`` lines of ``width`` numbers each."""
    for index, (number, line) in enumerate(rows[:expected_rows]):
        values = _numbers(line)
        if values is not None and len(values) == width:
            continue
        if index == len(rows) - 1:
            raise ProductFileError(
                f"{name}: truncated {what} file: coefficient row {index + 1} of "
                f"{expected_rows} is incomplete (line {number})"
            )
        raise ProductFileError(
            f"{name}: line {number}: expected {width} numbers in {what} row {index + 1}"
        )
    if len(rows) < expected_rows:
        raise ProductFileError(
            f"{name}: truncated {what} file: {len(rows)} of {expected_rows} coefficient rows"
        )
    if len(rows) > expected_rows:
        raise ProductFileError(
            f"{name}: line {rows[expected_rows][0]}: unexpected data after the last "
            f"of {expected_rows} coefficient rows"
        )


def check_shc(text: str, name: str) -> ShcHeader:
    """Check an SHC file: header, model times and one row per coefficient."""
    lines = _data_lines(text)
    if not lines:
        raise ProductFileError(f"{name}: empty SHC file")
    number, header_line = lines[0]
    header = _numbers(header_line)
    if header is None or len(header) not in (5, 7) or not all(v.is_integer() for v in header[:5]):
        raise ProductFileError(
            f"{name}: line {number}: not an SHC header "
            "(N_min N_max N_times spline_order N_step [validity_start validity_end])"
        )
    min_degree, max_degree, time_count = (int(v) for v in header[:3])
    if not 0 <= min_degree <= max_degree or time_count < 1:
        raise ProductFileError(f"{name}: line {number}: invalid SHC degrees or time count")
    times: list[float] = []
    position = 1
    while len(times) < time_count and position < len(lines):
        values = _numbers(lines[position][1])
        if values is None:
            raise ProductFileError(f"{name}: line {lines[position][0]}: invalid model times")
        times.extend(values)
        position += 1
    if len(times) != time_count:
        raise ProductFileError(
            f"{name}: truncated SHC file: {len(times)} of {time_count} model times"
        )
    for time in times:
        if not 1.0 <= time < 10000.0:  # also NaN: decimal years of the years 0001 to 9999
            raise ProductFileError(
                f"{name}: model time {time!r} is not a year between 0001 and 9999"
            )
    expected_rows = sum(2 * degree + 1 for degree in range(min_degree, max_degree + 1))
    _check_rows(lines[position:], name, expected_rows, 2 + time_count, "SHC")
    return ShcHeader(min_degree, max_degree, time_count)


def check_core_shc(text: str, name: str) -> None:
    """A core-field model starts at degree 1 (the dipole)."""
    header = check_shc(text, name)
    if header.min_degree != 1:
        raise ProductFileError(
            f"{name}: not a core field model (minimum degree {header.min_degree}, expected 1)"
        )


def check_lithosphere_shc(text: str, name: str) -> None:
    """A lithospheric-field model is static: one model time."""
    header = check_shc(text, name)
    if header.time_count != 1:
        raise ProductFileError(
            f"{name}: not a static lithospheric model ({header.time_count} model times)"
        )


def check_mio(text: str, name: str) -> None:
    """Check a MIO_SHA text file: its 10-number header and two blocks of coefficient rows.

    Header: ``n_max m_max s_min s_max p_min p_max lat_NGP lon_NGP height wolf_ratio``; each
    block has one row ``n m c...`` per degree n <= n_max and order |m| <= min(n, m_max), with
    2 (s_max - s_min + 1) (p_max - p_min + 1) coefficients.
    """
    lines = _data_lines(text)
    if not lines:
        raise ProductFileError(f"{name}: empty MIO file")
    number, header_line = lines[0]
    header = _numbers(header_line)
    if header is None or len(header) != 10 or not all(v.is_integer() for v in header[:6]):
        raise ProductFileError(
            f"{name}: line {number}: not a MIO header "
            "(n_max m_max s_min s_max p_min p_max lat_NGP lon_NGP height wolf_ratio)"
        )
    max_degree, max_order, s_min, s_max, p_min, p_max = (int(v) for v in header[:6])
    if max_degree < 1 or max_order < 0 or s_max < s_min or p_max < p_min:
        raise ProductFileError(f"{name}: line {number}: invalid MIO header values")
    rows_per_block = sum(2 * min(n, max_order) + 1 for n in range(1, max_degree + 1))
    width = 2 + 2 * (s_max - s_min + 1) * (p_max - p_min + 1)
    _check_rows(lines[1:], name, 2 * rows_per_block, width, "MIO")


def copy_converter(
    check: Callable[[str, str], object],
) -> Callable[[Sequence[str], Path, datetime], list[str]]:
    """Converter copying one checked model file and writing its ``.source`` side file."""

    def convert(sources: Sequence[str], target: Path, created: datetime) -> list[str]:
        (source,) = sources
        content = _read_checked(source, check)
        identifier = product_id(source)
        target.write_bytes(content)
        source_file(target).write_text(identifier + "\n", encoding="ascii")
        return [identifier]

    return convert


def _read_checked(source: str, check: Callable[[str, str], object]) -> bytes:
    """The bytes of a model file whose ASCII text ``check`` accepted."""
    content = read_bytes(source)
    name = basename(source)
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        raise ProductFileError(f"{name}: not an ASCII text file") from None
    check(text, name)
    return content


def source_file(target: Path) -> Path:
    return target.with_name(target.name + SOURCE_SUFFIX)


def convert_chaos_core(sources: Sequence[str], target: Path, created: datetime) -> list[str]:
    """Zip of the latest contiguous chain of CHAOS core SHC files of the newest version."""
    selected = select_latest(
        sources, CHAOS_CORE_TYPE, CHAOS_CORE_MAX_GAP, newest_version_first, same_version_only=True
    )
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for product in selected:
            content = _read_checked(product.source, check_core_shc)
            member = zipfile.ZipInfo(basename(product.source), date_time=_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            archive.writestr(member, content)
    return [product.identifier for product in selected]
