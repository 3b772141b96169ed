"""Reading articles: datelines, wires, titles, dates, the curated metadata file, and bad files."""

import datetime as dt

import pytest

from newsbot.index.articles import article_files, article_id, curated_entry, load_curated, parse_article
from newsbot.index.readers import Document, ReadOptions, read_file, read_text
from newsbot.index.dates import infer_published
from newsbot.index.errors import CorpusError, CorpusFileError, MetadataError

from .conftest import SEEDS


def read_article(path, folder, curated):
    doc = next(read_file(path, article_id(path, folder), ReadOptions()))
    return parse_article(doc, curated_entry(doc, curated))


@pytest.mark.parametrize(
    "line, outlet, place, rest",
    [
        ("Beijing (ANTARA) - Korea Utara pada Kamis", "ANTARA", "Beijing", "Korea Utara pada Kamis"),
        ("TEMPO.CO, Jakarta - Pemimpin Korea Utara", "TEMPO.CO", "Jakarta", "Pemimpin Korea Utara"),
        ("Bisnis.com, JAKARTA - Pemimpin Korea", "Bisnis.com", "JAKARTA", "Pemimpin Korea"),
        ("KOMPAS.com – Presiden berkata", "KOMPAS.com", None, "Presiden berkata"),
        ("WASHINGTON, Sept 14 (Reuters) - The U.S. said", "Reuters", "WASHINGTON, Sept 14", "The U.S. said"),
        ("Korea Utara mengklaim bahwa Putin", None, None, "Korea Utara mengklaim bahwa Putin"),
    ],
)
def test_datelines(line, outlet, place, rest):
    from newsbot.index.articles import parse_dateline

    assert parse_dateline(line) == (outlet, place, rest)


def test_seed_metadata_from_text_and_curated_file():
    curated = load_curated(SEEDS)
    got = {
        a.article: (a.outlet, a.outlet_from, a.published, a.wires)
        for a in (read_article(p, SEEDS, curated) for p in article_files(SEEDS))
    }
    assert got == {
        "000_32e75d40920b16eb": ("ANTARA", "dateline", dt.date(2023, 9, 14), ["Kyodo-OANA"]),
        "001_29c8b5c4ec59e6d1": ("TEMPO.CO", "dateline", dt.date(2023, 9, 14), ["REUTERS"]),
        "002_7c22723a4b7ba049": ("ANTARA", "dateline", dt.date(2025, 9, 4), ["Yonhap-OANA"]),
        "003_699c178c02bcba50": ("Bisnis.com", "dateline", dt.date(2023, 9, 13), ["Channel News Asia"]),
        "004_0b52db60a65bf272": ("Fox News (terjemahan)", "metadata", dt.date(2023, 9, 14), []),
    }
    fox = read_article(SEEDS / "004_0b52db60a65bf272.txt", SEEDS, curated)
    assert "Anders Hagstrom" in fox.note and fox.published_from == "metadata"


def test_no_boilerplate_reaches_the_seed_passages():
    for path in article_files(SEEDS):
        body = "\n".join(read_article(path, SEEDS, {}).paragraphs)
        for marker in ("Baca juga", "Baca Juga", "Penerjemah:", "Editor:", "Copyright", "Dilarang keras",
                       "Pilihan Editor", "berkontribusi pada laporan", "Sumber:", "KOREA SELATAN MENGUNGKAPKAN"):
            assert marker not in body, (path.name, marker)
        assert "\nREUTERS" not in body and not body.startswith(("Beijing (ANTARA)", "TEMPO.CO,"))


@pytest.mark.parametrize(
    "lead, text, expected",
    [
        ("media pemerintah melaporkan pada Kamis, 14 September 2023, dan", "", ("2023-09-14", "text: dated lead")),
        ("Kim bertemu Putin pada Rabu (13/9/2023) di Timur Jauh.", "", ("2023-09-13", "text: dated lead")),
        # copyright year + weekday in the lead + the latest day/month mentioned
        ("Korea Utara pada Kamis mengatakan", "acara pada Rabu (13/9) itu\nCopyright © ANTARA 2023",
         ("2023-09-14", "text: copyright year + weekday")),
        ("Korea Utara pada Kamis mengatakan", "Copyright © ANTARA 2025", (None, "unknown")),
        ("Tanpa tanggal sama sekali.", "", (None, "unknown")),
        # a stated weekday that contradicts the date is not trusted
        ("pada Senin, 14 September 2023", "", (None, "unknown")),
    ],
)
def test_publication_date_inference(lead, text, expected):
    date, how = infer_published(lead, lead + "\n" + text)
    assert (date.isoformat() if date else None, how) == expected


def test_title_and_front_matter(tmp_path):
    text = "---\ntitle: Judul Depan\noutlet: Kompas\npublished: 2024-01-05\n---\nIsi berita pertama.\nIsi kedua.\n"
    article = parse_article(Document("x", "x.md", text))
    assert (article.title, article.outlet, article.published) == ("Judul Depan", "Kompas", dt.date(2024, 1, 5))
    headline = parse_article(Document("y", "y.txt", "Banjir Melanda Kota\nHujan deras turun sejak pagi.\n"))
    assert headline.title == "Banjir Melanda Kota" and headline.paragraphs == ["Hujan deras turun sejak pagi."]


def test_bad_files_get_a_clear_reason(tmp_path):
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 di Jakarta".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG")
    with pytest.raises(CorpusFileError, match=r"latin\.txt: not UTF-8 \(byte 0xe9 at offset 3\)"):
        read_text(tmp_path / "latin.txt")
    with pytest.raises(CorpusFileError, match="empty"):
        read_text(tmp_path / "empty.txt")
    with pytest.raises(CorpusFileError, match="binary"):
        read_text(tmp_path / "binary.txt")
    with pytest.raises(CorpusFileError, match="nothing but boilerplate"):
        parse_article(Document("b", "b.txt", "Baca juga: sesuatu\nEditor: Budi\n"))


def test_corpus_folder_errors(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        article_files(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(CorpusError, match="not a folder"):
        article_files(tmp_path / "file.txt")


def test_malformed_curated_file_is_a_clear_error(tmp_path):
    (tmp_path / "sources.toml").write_text('["a.txt"]\npublished = "14 Sept"\n')
    with pytest.raises(MetadataError, match=r"\[a.txt\] published must be a date"):
        load_curated(tmp_path)
    (tmp_path / "sources.toml").write_text('["a.txt"]\noutlet = "X"\nauthor = "Y"\n')
    with pytest.raises(MetadataError, match="unknown field.*author"):
        load_curated(tmp_path)
    (tmp_path / "sources.toml").write_text('["a.txt"\n')
    with pytest.raises(MetadataError):
        load_curated(tmp_path)
