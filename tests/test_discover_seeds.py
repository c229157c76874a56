"""Seeds CSV: good rows kept, bad rows reported with their line numbers."""

from pathlib import Path

import pytest

from harvester.discover.seeds import SeedsFileError, read_seeds

PROJECT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "seeds.csv"
    path.write_bytes(content)
    return path


def test_good_and_bad_rows(tmp_path):
    path = write(tmp_path, (
        "\ufeffname,url,region_code,level,parent,extra\n"
        "安定区人民政府,http://www.anding.gov.cn/,621102,county,621100,x\n"
        "坏行,ftp://x.gov.cn/,,,,\n"
        ",http://www.a.gov.cn/,,,,\n"
        "重复,http://www.anding.gov.cn/,,,,\n"
        "代码,http://www.b.gov.cn/,12345,,,\n"
        "级别,http://www.c.gov.cn/,,city,,\n"
        "陇西县人民政府,http://www.longxi.gov.cn/,,,,\n"
    ).encode("utf-8") + "乱码,http://www.d.gov.cn/,,,,\n".encode("gbk"))
    seeds, problems = read_seeds(path)
    assert [seed.name for seed in seeds] == ["安定区人民政府", "陇西县人民政府"]
    assert seeds[0].region_code == "621102" and seeds[0].level == "county"
    assert [problem.line for problem in problems] == [3, 4, 5, 6, 7, 9]
    assert "duplicate" in problems[2].message and "line 2" in problems[2].message
    assert "UTF-8" in problems[5].message


def test_unreadable_files(tmp_path):
    with pytest.raises(SeedsFileError):
        read_seeds(tmp_path / "missing.csv")
    with pytest.raises(SeedsFileError):
        read_seeds(write(tmp_path, b"a,b\n1,2\n"))


def test_shipped_seed_list_reads_without_problems():
    seeds, problems = read_seeds(PROJECT / "seeds" / "portals.csv")
    assert problems == []
    assert len(seeds) > 3000
