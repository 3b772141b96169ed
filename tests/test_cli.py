"""The newsbot CLI through click's runner: index, ask (text and JSON lines), chat, sources, eval, errors."""

import json

import pytest
from click.testing import CliRunner

from newsbot.bot import cli as cli_module
from newsbot.bot import core as core_module
from newsbot.bot.cli import cli

from .conftest import FakeEmbedder


@pytest.fixture
def run(tmp_path, tiny_corpus, monkeypatch):
    """Invoke the CLI with the fake embedder, an index in tmp_path and the tiny corpus as default corpus."""
    embedder = FakeEmbedder()
    monkeypatch.setattr(cli_module, "make_embedder", lambda settings: embedder)
    monkeypatch.setattr(core_module, "make_embedder", lambda settings: embedder)
    monkeypatch.setenv("NEWSBOT_INDEX", str(tmp_path / "idx" / "index.db"))
    monkeypatch.setenv("NEWSBOT_CORPUS", str(tiny_corpus))
    monkeypatch.setenv("NEWSBOT_MIN_RELEVANCE", "0.1")
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, ["--env-file", str(tmp_path / "no.env"), *args], input=input, catch_exceptions=False)

    return invoke


def test_index_reports_what_it_did(run, tiny_corpus):
    result = run("index", str(tiny_corpus))
    assert result.exit_code == 0
    assert "3 articles, 6 passages (3 added, 0 updated, 0 removed, 0 unchanged; 6 passages embedded, 0 reused)" in result.output
    assert "outlet unknown for: c_unknown (add them to sources.toml)" in result.output
    again = run("index", str(tiny_corpus))
    assert "(0 added, 0 updated, 0 removed, 3 unchanged; 0 passages embedded" in again.output


def test_index_of_nothing_usable_fails(run, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.txt").write_bytes(b"\xff\xfe\x00")
    result = run("index", str(bad))
    assert result.exit_code == 1
    assert "skipped x.txt: looks like a binary file" in result.output
    assert "Error: nothing could be indexed from" in result.output
    missing = run("index", str(tmp_path / "missing"))
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_ask_builds_the_index_on_first_use_and_answers(run):
    result = run("ask", "ekspor udang naik berapa persen?")
    assert result.exit_code == 0, result.output
    assert "(first use: built the index from" in result.output
    assert "1. “Menteri Perikanan mengumumkan" in result.output
    assert "ANTARA, 2023-10-02 (via Reuters)" in result.output or "TEMPO.CO, 2023-10-03" in result.output


def test_ask_json_reads_questions_from_stdin(run):
    run("index")
    result = run("ask", "--json", "-k", "2", input="ekspor udang\n\nsiapa juara piala dunia\n")
    lines = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [(l["question"], l["answered"]) for l in lines] == [("ekspor udang", True), ("siapa juara piala dunia", False)]
    first = lines[0]["results"][0]
    assert sorted([first["outlet"], *first["also_reported_by"]]) == ["ANTARA", "TEMPO.CO"]
    assert {"quote", "passage", "outlet", "article", "published", "score", "also_reported_by"} <= set(first)
    assert lines[1]["results"] == []


def test_ask_abstains_in_words(run):
    result = run("ask", "Siapa juara Piala Dunia sepak bola?")
    assert result.exit_code == 0
    assert "I found nothing on that in my sources." in result.output


def test_chat_shares_the_bot_commands(run):
    result = run("chat", input="/help\nkatak hijau\n/full 1\n/full 9\n/sources\n/nope\n")
    out = result.output
    assert result.exit_code == 0
    assert "/ask <question>" in out and "/sources" in out
    assert "“Katak itu berwarna hijau terang dan hanya sebesar kuku jari.”" in out
    assert "/full takes a result number from 1 to" in out
    assert "ANTARA\n  2023-10-02" in out and "[c_unknown, 2 passages]" in out
    assert "I don't know /nope." in out


def test_chat_reads_a_short_question_after_the_one_before(run):
    result = run("chat", input="Berapa kenaikan ekspor udang?\nsiapa yang mengumumkan?\nGunung Merapi awan panas\n")
    out = result.output
    assert result.exit_code == 0
    follow_up = out.index("Taken as a follow-up to “Berapa kenaikan ekspor udang?”.")
    assert "ekspor udang" in out[follow_up:] and out.count("follow-up") == 1  # a question of its own is not


def test_chat_gives_the_links_of_the_last_answer(run):
    out = run("chat", input="link?\nBerapa kenaikan ekspor udang?\nlink artikelnya mana?\n").output
    assert "\nLinks to which answer? Ask me something first" in out
    listed = out[out.index("The articles quoted in answer to “Berapa kenaikan ekspor udang?”:"):]
    assert "ANTARA, 2023-10-02 (via Reuters)" in listed and "(no link: read from a file)" in listed


def test_chat_gives_more_of_the_last_answer_until_there_is_none(run):
    out = run("chat", input="ada lagi?\nBerapa kenaikan ekspor udang?\nanything else?\n").output
    assert "\nMore of which answer? Ask me something first" in out
    assert out.rstrip().endswith("That is all my sources say on “Berapa kenaikan ekspor udang?”. Ask it in other "
                                 "words, or see who reported it with /sources and the question.")


def test_chat_asked_for_the_source_after_an_answer_lists_who_carries_it(run):
    """"sumbernya apa?" before any answer: where my news comes from; after one: who reported that answer."""
    out = run("chat", input="sumbernya apa?\nBerapa kenaikan ekspor udang?\nsumbernya apa?\n").output
    assert "I have read 3 articles from 3 outlets" in out[:out.index("ekspor udang")]
    carriers = out[out.rindex("carry the answer"):]
    assert "ANTARA" in carriers and "TEMPO.CO" in carriers and "[c_unknown, 2 passages]" not in carriers


def test_sources_json(run):
    result = run("sources", "--json")
    data = json.loads(result.output[result.output.index("["):])
    assert [(a["article"], a["outlet"], a["published"], a["wire"], a["passages"]) for a in data] == [
        ("a_antara", "ANTARA", "2023-10-02", "Reuters", 2),
        ("b_tempo", "TEMPO.CO", "2023-10-03", None, 2),
        ("c_unknown", None, None, None, 2),
    ]


def test_eval_prints_scores(run, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "1", "lang": "id", "q": "katak hijau", "gold": ["Katak itu"]}) + "\n"
        + json.dumps({"id": "2", "lang": "id", "q": "piala dunia sepak bola", "gold": []}) + "\n"
    )
    result = run("eval", str(questions))
    assert result.exit_code == 0
    assert "id       1   1.00   1.00   1.00" in result.output
    assert "abstention: 1 right, 0 wrong" in result.output
    questions.write_text("{not json\n")
    bad = run("eval", str(questions))
    assert bad.exit_code == 1 and "q.jsonl:1: expected" in bad.output


def test_missing_index_and_corpus_is_one_line(run, monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSBOT_CORPUS", str(tmp_path / "nowhere"))
    result = run("ask", "apa saja")
    assert result.exit_code == 1
    assert result.output.startswith("Error: there is no index at")
    assert "Traceback" not in result.output


def test_bad_setting_is_one_line(run, monkeypatch):
    monkeypatch.setenv("NEWSBOT_K", "many")
    result = run("ask", "x")
    assert result.exit_code == 1 and "NEWSBOT_K='many' is not a valid value" in result.output


def test_python_dash_m_bot_runs_the_same_cli(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "newsbot.bot", "--help"], capture_output=True, text=True, check=True)
    assert "Answer questions about the news" in out.stdout
    for command in ("index", "ask", "chat", "sources", "timeline", "telegram", "discord", "eval"):
        assert command in out.stdout


def test_sources_with_a_question_names_the_carrying_outlets(run):
    text = run("sources", "Berapa kenaikan ekspor udang?").output
    assert "2 articles carry the answer:" in text
    assert "ANTARA, 2023-10-02 (via Reuters) [a_antara]" in text
    assert "TEMPO.CO, 2023-10-03 [b_tempo]" in text
    data = json.loads(run("sources", "--json", "Berapa kenaikan ekspor udang?").output)
    assert [(c["outlet"], c["article"]) for c in data["carriers"]] == [("ANTARA", "a_antara"), ("TEMPO.CO", "b_tempo")]
    assert "I found nothing on that in my sources." in run("sources", "resep kue bolu pandan").output


@pytest.mark.parametrize("command, variable", [("telegram", "TELEGRAM_BOT_TOKEN"), ("discord", "DISCORD_BOT_TOKEN")])
def test_a_bot_without_a_token_is_one_line(tmp_path, monkeypatch, command, variable):
    monkeypatch.delenv(variable, raising=False)
    result = CliRunner().invoke(cli, ["--env-file", str(tmp_path / "no.env"), command])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {variable} is not set")
    assert len(result.output.strip().splitlines()) == 1


def _one_line_error(result, *parts):
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def test_a_file_that_is_not_an_index_is_one_line_and_rebuild_replaces_it(run, tmp_path, tiny_corpus):
    index = tmp_path / "idx" / "index.db"
    index.parent.mkdir()
    index.write_bytes(b"these are my notes, not a database\n" * 200)
    _one_line_error(run("ask", "ekspor udang"), "damaged or is not a newsbot index", "--rebuild")
    _one_line_error(run("index", str(tiny_corpus)), "--rebuild")
    rebuilt = run("index", "--rebuild", str(tiny_corpus))
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "the damaged index file was moved to" in rebuilt.output
    [kept] = index.parent.glob("index.db.damaged-*")
    assert kept.read_bytes().startswith(b"these are my notes")  # nothing lost
    assert run("ask", "ekspor udang naik berapa persen?").exit_code == 0


def test_a_damaged_index_is_one_line_and_rebuild_replaces_it(run, tmp_path, tiny_corpus):
    assert run("index", str(tiny_corpus)).exit_code == 0
    index = tmp_path / "idx" / "index.db"
    data = bytearray(index.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page * 2:] = b"\xa5" * (len(data) - page * 2)  # every page after the first two is garbage
    index.write_bytes(bytes(data))
    for name in ("index.db-wal", "index.db-shm"):
        (index.parent / name).unlink(missing_ok=True)
    _one_line_error(run("ask", "ekspor udang"), "is damaged", "--rebuild", str(index))
    rebuilt = run("index", "--rebuild", str(tiny_corpus))
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "moved to" in rebuilt.output and "3 articles" in rebuilt.output


def test_another_programs_database_is_never_written_into(run, tmp_path, tiny_corpus):
    import sqlite3

    index = tmp_path / "idx" / "index.db"
    index.parent.mkdir()
    with sqlite3.connect(index) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
        conn.execute("INSERT INTO users VALUES ('ada')")
    conn.close()
    _one_line_error(run("index", str(tiny_corpus)), "database of something else")
    with sqlite3.connect(index) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["users"]
    conn.close()
    assert run("index", "--rebuild", str(tiny_corpus)).exit_code == 0


def test_a_full_disk_is_one_line_and_the_index_stays_as_it_was(run, tmp_path, tiny_corpus, monkeypatch):
    from newsbot.index import sqlite

    assert run("index", str(tiny_corpus)).exit_code == 0
    (tiny_corpus / "d_big.txt").write_text("\n".join(
        f"Paragraf {i} tentang panen padi di Karawang yang melimpah tahun ini, kata petani setempat." for i in range(400)))
    real_open = sqlite.open_index

    def open_on_a_full_disk(path, create=False):
        db = real_open(path, create)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own "database or disk is full"
        return db

    monkeypatch.setattr(sqlite, "open_index", open_on_a_full_disk)
    _one_line_error(run("index", str(tiny_corpus)), "free some disk space", "as it was before")
    monkeypatch.setattr(sqlite, "open_index", real_open)
    result = run("ask", "ekspor udang naik berapa persen?")
    assert result.exit_code == 0 and "Menteri Perikanan" in result.output
    again = run("index", str(tiny_corpus))
    assert again.exit_code == 0 and "1 added" in again.output
