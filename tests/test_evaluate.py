"""Evaluation: groups, confidence outcomes, folds and cross-validation (fake embedder, tiny corpus)."""

import json

import pytest

from click.testing import CliRunner

from newsbot.bot.answer import HIGH, Thresholds
from newsbot.bot.cli import cli
from newsbot.bot.evaluate import Case, cross_validate, evaluate, fit, folds, render_cross_validation, render_report, search_all

CASES = [
    Case("a1", "id", "Berapa kenaikan ekspor udang?", ["ekspor udang naik"]),
    Case("a2", "id", "Gunung Merapi awan panas guguran", ["Gunung Merapi"]),
    Case("a3", "kw", "katak hijau", ["Katak itu berwarna hijau"]),
    Case("a4", "kw", "spesies katak baru Kalimantan", ["spesies katak baru"]),
    Case("a5", "id", "permintaan udang dari Jepang", ["permintaan dari Jepang"]),
    Case("a6", "kw", "awan panas Merapi", ["Gunung Merapi"]),
    Case("o1", "off", "Siapa pemenang Piala Dunia sepak bola?", []),
    Case("o2", "off", "Resep rendang daging sapi empuk", []),
    Case("n1", "neg", "Berapa ton udang diekspor ke Jepang?", []),
]


def test_folds_spread_each_group_evenly_and_lose_nothing():
    parts = folds(CASES, 3)
    assert sorted(c.id for part in parts for c in part) == sorted(c.id for c in CASES)
    for part in parts:
        assert sum(1 for c in part if c.kind == "off") <= 1
        assert sum(1 for c in part if c.lang == "kw") == 1


def test_report_has_every_group_and_confidence_outcomes(fake_core):
    report = evaluate(fake_core, CASES, k=3, thresholds=Thresholds(min_relevance=0.1, high_relevance=0.2))
    assert [s.lang for s in report.languages] == ["id", "kw"]
    assert {o.lang for o in report.outcomes} == {"id", "kw", "off", "neg"}
    assert sum(o.questions for o in report.outcomes) == len(CASES)
    assert all(o.high + o.low + o.refused == o.questions for o in report.outcomes)
    assert report.overall.hit_at_1 == 1.0
    off = next(o for o in report.outcomes if o.lang == "off")
    assert off.refused == 2
    text = render_report(report)
    assert "high   low  refused" in text and "off" in text
    # /sources with each answerable question, against the articles among the candidates holding a gold string
    assert [c.sources is None for c in report.cases] == [not c.gold for c in CASES]
    shrimp = next(c for c in report.cases if c.id == "a1")
    assert shrimp.sources == (2, 0, 0)  # ANTARA and TEMPO.CO both say the exports rose, and both are listed
    precision, recall, questions = report.sources()
    assert questions == 6 and 0 < precision <= 1 and 0 < recall <= 1
    assert f"/sources: precision {precision:.2f}, recall {recall:.2f} on 6 questions" in text


def test_a_search_is_ranked_again_without_searching_again(fake_core):
    searched = search_all(fake_core, CASES)
    a = evaluate(fake_core, CASES, 3, Thresholds(min_relevance=0.1), searched)
    b = evaluate(fake_core, CASES, 3, Thresholds(min_relevance=0.1))
    assert a.cases == b.cases


def test_fit_chooses_thresholds_that_refuse_off_topic_and_keep_answers(fake_core):
    searched = search_all(fake_core, CASES)
    chosen = fit(fake_core, CASES, searched, Thresholds())
    report = evaluate(fake_core, CASES, 3, chosen, searched)
    assert report.abstain_wrong == 0 or next(o for o in report.outcomes if o.lang == "off").high == 0
    assert report.wrongly_abstained == 0
    assert all(c.confidence == HIGH for c in report.cases if c.expected == "answer")


def test_a_question_with_nothing_to_look_for_leaves_the_thresholds_as_they_were(fake_core):
    """A question the index holds none of the words of is refused whatever the thresholds, so however
    near its nearest passage is, fitting the thresholds does not raise them to refuse it."""
    import dataclasses

    from newsbot.bot.answer import rank, relevance

    searched = search_all(fake_core, CASES)
    query, hits = searched["o1"]
    assert query.unheld  # "Siapa pemenang Piala Dunia sepak bola?": no word of it in the tiny corpus
    as_is = fit(fake_core, CASES, searched, Thresholds())
    # its nearest passage moved just above the refusal threshold, below every answerable question's best
    weakest = min(relevance(rank(searched[c.id][1], as_is)[0], as_is) for c in CASES if c.gold)
    assert weakest > as_is.min_relevance
    shift = (as_is.min_relevance + weakest) / 2 - relevance(rank(hits, as_is)[0], as_is)
    near = [dataclasses.replace(h, similarity=h.similarity + shift, sentence=h.sentence + shift) for h in hits]
    assert fit(fake_core, CASES, {**searched, "o1": (query, near)}, Thresholds()) == as_is
    searchable_again = {**searched, "o1": (dataclasses.replace(query, unheld=()), near)}
    assert fit(fake_core, CASES, searchable_again, Thresholds()) != as_is


def test_an_off_topic_question_closest_found_on_another_index_does_not_push_answers_into_refusal():
    """On an index holding other articles beside the corpus, "closest I found" for an off-topic question is
    no failure: five of them must not outweigh an answerable question refused. On the corpus alone
    they do, and everything below the answerable one's relevance is refused."""
    from newsbot.bot.evaluate import _thresholds

    def tops(elsewhere: bool):
        return [("answer", 0.10, True, False), ("answer", 0.003, True, False), ("off", -0.05, True, False)] + [
            ("off", 0.005, True, elsewhere)] * 5

    _, low, high = _thresholds(tops(elsewhere=True))
    assert -0.05 < low < 0.003 and high <= 0.10  # the off-topic question on the corpus alone is still refused
    _, low, _ = _thresholds(tops(elsewhere=False))
    assert low > 0.005


def test_cross_validation_scores_each_question_once_out_of_fold(fake_core):
    cv = cross_validate(fake_core, CASES, k=3)
    assert [c.id for c in cv.out_of_fold.cases] == [c.id for c in CASES]
    assert len(cv.folds) == 3 and set(cv.folds[0]) == {"hit@1", "hit@3", "answerable low or refused",
                                                       "neg high", "off refused"}
    text = render_cross_validation(cv)
    assert "out of fold" in text and "in sample" in text and '"min_relevance"' in text


def test_cli_eval_takes_several_files_and_cross_validates(fake_core, fake_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBOT_INDEX", str(fake_settings.index_path))
    monkeypatch.setenv("NEWSBOT_MIN_RELEVANCE", "0.1")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    rows = [{"id": c.id, "lang": c.lang, "q": c.q, "gold": c.gold} for c in CASES]
    first.write_text("\n".join(json.dumps(r) for r in rows[:5]))
    second.write_text("\n".join(json.dumps(r) for r in rows[5:]))
    import newsbot.bot.cli as cli_module

    monkeypatch.setattr(cli_module.Context, "core", lambda self: fake_core)
    result = CliRunner().invoke(cli, ["--env-file", str(tmp_path / "none"), "eval", str(first), str(second), "--cv", "3"])
    assert result.exit_code == 0, result.output
    assert "Out of fold (3 folds" in result.output
    again = CliRunner().invoke(cli, ["--env-file", str(tmp_path / "none"), "eval", str(first), str(first)])
    assert again.exit_code != 0 and "ids repeat" in again.output
    lone = CliRunner().invoke(cli, ["--env-file", str(tmp_path / "none"), "eval", str(first), "--write"])
    assert lone.exit_code != 0 and "--write goes with --cv" in lone.output


def test_a_question_asked_of_several_indexes_is_in_one_fold(fake_core):
    from newsbot.bot.evaluate import on_index

    both = CASES + on_index(CASES, 1)
    parts = folds(both, 3)
    fold_of = {c.id: n for n, part in enumerate(parts) for c in part}
    assert len(fold_of) == 2 * len(CASES)
    assert all(fold_of[c.id] == fold_of[f"{c.id}@1"] for c in CASES)


def test_cross_validation_chooses_on_every_index_and_scores_each(fake_core, fake_embedder, tmp_path):
    from newsbot.bot.core import NewsCore
    from newsbot.bot.config import Settings
    from newsbot.index.build import build_index

    from .conftest import TINY_ARTICLES, write_corpus

    # A bigger index: the corpus and an article about something else that shares its words.
    other = dict(TINY_ARTICLES, **{"d_other.txt": "Harga udang dan katak di pasar Jakarta naik pada musim hujan.\n"
                                                    "Awan tebal menutupi gunung sepanjang hari.\n"})
    folder = write_corpus(tmp_path / "bigger", other)
    build_index(folder, tmp_path / "bigger.db", fake_embedder)
    bigger = NewsCore(Settings(index_path=tmp_path / "bigger.db", corpus=folder, min_relevance=0.1), fake_embedder)
    try:
        cv = cross_validate(fake_core, CASES, k=3, others=[bigger])
    finally:
        bigger.close()
    assert [c.id for c in cv.out_of_fold.cases] == [c.id for c in CASES]
    [elsewhere] = cv.elsewhere
    assert elsewhere.index.endswith("bigger.db")
    assert [c.id for c in elsewhere.out_of_fold.cases] == [f"{c.id}@1" for c in CASES]
    assert len(elsewhere.in_sample.cases) == len(CASES)
    assert f"On {elsewhere.index}, out of fold:" in render_cross_validation(cv)


def test_cli_eval_also_on_another_index(fake_core, fake_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBOT_INDEX", str(fake_settings.index_path))
    monkeypatch.setenv("NEWSBOT_MIN_RELEVANCE", "0.1")
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps({"id": c.id, "lang": c.lang, "q": c.q, "gold": c.gold}) for c in CASES))
    import newsbot.bot.cli as cli_module

    monkeypatch.setattr(cli_module.Context, "core", lambda self: fake_core)
    args = ["--env-file", str(tmp_path / "none"), "eval", str(questions)]
    missing = CliRunner().invoke(cli, args + ["--also-on", str(tmp_path / "nowhere.db")])
    assert missing.exit_code != 0 and "no index at" in missing.output and "nowhere.db" in missing.output
    same = CliRunner().invoke(cli, args + ["--also-on", str(fake_settings.index_path)])
    assert same.exit_code == 0, same.output
    first, second = same.output.split("\nOn ")[0], "On " + same.output.split("\nOn ")[1]
    assert first.startswith("On ") and first.split("\n", 1)[1] == second.split("\n", 1)[1]


def test_a_question_id_may_not_look_like_one_asked_of_another_index(tmp_path):
    from newsbot.bot.evaluate import EvalFileError, load_cases

    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "q1@2", "lang": "id", "q": "Apa?", "gold": []}) + "\n")
    with pytest.raises(EvalFileError, match="q.jsonl:1: a question id may not contain '@'"):
        load_cases(questions)


def test_a_question_is_searched_as_on_the_day_it_was_asked(tmp_path, fake_core):
    """"bulan lalu" in a question asked on 5 Nov 2023 meant October 2023, whenever it is evaluated."""
    import datetime as dt

    from newsbot.bot.evaluate import EvalFileError, load_cases, search_all

    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "t1", "lang": "tmp", "q": "ekspor udang bulan lalu", "gold": ["udang"],
                                     "asked": "2023-11-05"}) + "\n"
                         + json.dumps({"id": "t2", "lang": "tmp", "q": "ekspor udang bulan lalu", "gold": ["udang"]})
                         + "\n")
    asked, undated = load_cases(questions)
    assert asked.asked == dt.date(2023, 11, 5) and undated.asked is None
    searched = search_all(fake_core, [asked, undated])
    [then] = searched["t1"][0].periods
    assert (then.start, then.end) == (dt.date(2023, 10, 1), dt.date(2023, 10, 31))
    [now] = searched["t2"][0].periods
    assert (now.start, now.end) != (then.start, then.end)  # last month counted from the real today
    questions.write_text(json.dumps({"id": "t3", "lang": "tmp", "q": "Apa?", "gold": [], "asked": "kemarin"}) + "\n")
    with pytest.raises(EvalFileError, match=r"q.jsonl:1: \"asked\" must be a date, YYYY-MM-DD"):
        load_cases(questions)


def test_a_follow_up_is_searched_read_with_the_question_it_replies_to(tmp_path, fake_core):
    """`earlier`: the question whose answer it replies to, as a chat would send both."""
    from newsbot.bot.evaluate import EvalFileError, evaluate, load_cases, search_all

    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "f1", "lang": "id", "q": "berapa persen?", "gold": ["udang"],
                                     "earlier": "Ekspor udang naik?"}) + "\n"
                         + json.dumps({"id": "f2", "lang": "id", "q": "berapa persen?", "gold": ["udang"]}) + "\n")
    follow_up, alone = load_cases(questions)
    assert follow_up.earlier == "Ekspor udang naik?" and alone.earlier is None
    searched = search_all(fake_core, [follow_up, alone])
    assert searched["f1"][0].text == "Ekspor udang naik? berapa persen?" and searched["f2"][0].text == "berapa persen?"
    scores = {c.id: c for c in evaluate(fake_core, [follow_up, alone]).cases}
    assert scores["f1"].rank == 1 and scores["f2"].rank != 1
    questions.write_text(json.dumps({"id": "f3", "lang": "id", "q": "Apa?", "gold": [], "earlier": ["x"]}) + "\n")
    with pytest.raises(EvalFileError, match=r"q.jsonl:1: \"earlier\" must be the question it follows up"):
        load_cases(questions)


@pytest.mark.parametrize("name", ["written-later.jsonl", "written-later-2.jsonl", "written-later-3.jsonl",
                                  "written-later-4.jsonl", "where.jsonl", "latest.jsonl", "off-topic-chat.jsonl",
                                  "follow-ups.jsonl"])
def test_the_questions_written_later_quote_the_bundled_seeds(name):
    """`eval/*.jsonl` load, and every gold quote is verbatim in a seed article: a question whose gold no
    seed holds would count as a miss whatever the ranking did. Their ids are their own across the files,
    which are measured together."""
    from newsbot.bot.evaluate import load_cases

    from .conftest import ROOT, SEEDS

    seeds = " ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    cases = load_cases(ROOT / "eval" / name)
    if name in ("written-later.jsonl", "written-later-2.jsonl"):
        assert {c.lang for c in cases} >= {"id", "en", "xx", "tmp", "neg", "off"}
    others = {c.id for other in (ROOT / "eval").glob("*.jsonl") if other.name != name for c in load_cases(other)}
    assert len({c.id for c in cases}) == len(cases) and not others & {c.id for c in cases}
    missing = [(c.id, g) for c in cases for g in c.gold if g not in seeds]
    assert not missing
    assert all(c.earlier for c in cases) == (name == "follow-ups.jsonl")
