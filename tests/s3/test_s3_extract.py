"""``extract`` into an object store: the output object appears once the file is complete,
and a failed request leaves no object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from extraction_env import build_env, utc

from vires_repo.services import extraction

OPER_A = "SW_OPER_MAGA_LR_1B"
OUTPUT = "results/out.parquet"


def test_extract_to_s3(
    tmp_path: Path, copy_default_catalog: object, bucket: str, s3fs_filesystem: Any
) -> None:
    env = build_env(tmp_path, copy_default_catalog)
    env.add(OPER_A, "2016-01-01T00:00:00", "2016-01-01T00:59:59")
    url = f"s3://{bucket}/{OUTPUT}"

    result = extraction.extract(
        env.catalog,
        extraction.ExtractionRequest(
            collection_ids={"A": [OPER_A]},
            begin=utc("2016-01-01T00:00:00"),
            end=utc("2016-01-01T00:10:00"),
            variables=["F"],
            output_format="parquet",
        ),
        url,
    )

    with s3fs_filesystem.open(url, "rb") as stream:
        assert pq.read_table(stream).num_rows == 600
    assert result.records == 600
    assert s3fs_filesystem.ls(f"{bucket}/results", detail=False) == [f"{bucket}/{OUTPUT}"]

    request = extraction.ExtractionRequest(
        collection_ids={"A": [OPER_A]},
        begin=utc("2016-01-01T00:00:00"),
        end=utc("2016-01-01T00:10:00"),
        limits=extraction.Limits(max_samples=10),
    )
    with pytest.raises(extraction.ExtractionRequestError):
        extraction.extract(env.catalog, request, f"s3://{bucket}/results/failed.cdf")
    s3fs_filesystem.invalidate_cache()
    assert s3fs_filesystem.ls(f"{bucket}/results", detail=False) == [f"{bucket}/{OUTPUT}"]
