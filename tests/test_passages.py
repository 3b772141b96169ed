"""Cleaning (what is boilerplate) and splitting (sentences, passages)."""

from index.passages import clean, is_shouting, split_passages, split_sentences


def test_clean_removes_every_kind_of_boilerplate_and_keeps_the_news():
    lines = [
        "Kim dan Putin bertemu di Vostochny.",
        "Baca juga: Kim undang Putin lakukan kunjungan balasan ke Korut",
        "Baca Juga",
        "Penerjemah: Shofi Ayudiana",
        "Editor: Atman Ahdiat",
        "Copyright © ANTARA 2023",
        "Dilarang keras mengambil konten, melakukan crawling atau pengindeksan otomatis untuk AI di situs web ini tanpa izin tertulis dari Kantor Berita ANTARA.",
        "Pilihan Editor: Biden: Republik Ingin Memakzulkan Saya untuk Menutup Pemerintahan",
        "KOREA SELATAN MENGUNGKAPKAN ‘KEPRIHATINAN DALAM DAN PENGESAHAN’ MENGIKUTI PERTEMUAN PUTIN",
        "Anders Hagstrom dan Elizabeth Pritchett berkontribusi pada laporan ini.",
        "REUTERS",
        "Sumber: Kyodo-OANA",
        "Putin menerima undangan tersebut.",
    ]
    cleaned = clean(lines)
    assert cleaned.paragraphs == ["Kim dan Putin bertemu di Vostochny.", "Putin menerima undangan tersebut."]
    assert cleaned.wires == ["REUTERS", "Kyodo-OANA"]
    assert len(cleaned.removed) == len(lines) - 2


def test_clean_keeps_short_sentences_and_acronyms_inside_text():
    cleaned = clean(["AS dan PBB mengecam.", "Kim tiba."])
    assert cleaned.paragraphs == ["AS dan PBB mengecam.", "Kim tiba."]
    assert cleaned.wires == []


def test_shouting_needs_several_words_of_capitals():
    assert is_shouting("KOREA UTARA KIRIM TENTARA KE RUSIA")
    assert not is_shouting("KCNA")
    assert not is_shouting("Korea Utara kirim tentara ke Rusia")


def test_sentences_split_on_ends_but_not_on_dates_initials_or_titles():
    text = ("Kim menulis, “Kejayaan Rusia akan abadi. Kim Jong Un 2023. 9. 13” di buku tamu. "
            "Dr. Lee setuju dengan J. Smith. Harga naik 2.000 persen! Benarkah?")
    assert split_sentences(text) == [
        "Kim menulis, “Kejayaan Rusia akan abadi. Kim Jong Un 2023. 9. 13” di buku tamu.",
        "Dr. Lee setuju dengan J. Smith.",
        "Harga naik 2.000 persen!",
        "Benarkah?",
    ]


def test_sentences_keep_closing_quotes_with_their_sentence():
    text = "“Saya senang bertemu Anda,” kata Putin. “Kami selalu bersama Rusia.” Kim mengangguk."
    assert split_sentences(text) == [
        "“Saya senang bertemu Anda,” kata Putin.",
        "“Kami selalu bersama Rusia.”",
        "Kim mengangguk.",
    ]


def test_passages_are_paragraphs_and_long_ones_are_cut_between_sentences():
    long_paragraph = " ".join(f"Kalimat nomor {i} cukup panjang untuk mengisi ruang." for i in range(10))
    passages = split_passages(["Paragraf pendek.", long_paragraph], max_chars=200)
    assert passages[0].text == "Paragraf pendek."
    assert [p.position for p in passages] == list(range(len(passages)))
    assert all(len(p.text) <= 200 for p in passages[1:])
    assert " ".join(p.text for p in passages[1:]) == long_paragraph  # nothing lost, nothing rewritten
    for p in passages:
        assert " ".join(p.sentences) == p.text
