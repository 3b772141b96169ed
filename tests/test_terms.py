"""What lexical search sees: stems, informal Indonesian, question cues (no model, no index)."""

import pytest

from newsbot.index.terms import (STOPWORDS, Quantity, all_indonesian_words, asks_latest, asks_news, asks_place, asks_time,
                                 colloquial, overview_topic, recency_words, reported_topic,
                                 demonym_places, has_number, is_heading, is_question,
                                 borrowed_nouns, loanword_forms, loanword_spelling, names, plain, question_language, script,
                                 quantity_asked, small_talk, standardise, stem, stems, variants, words)


def test_words_fold_case_and_diacritics():
    assert words("Café «Ekspor» UDANG-windu!") == ["cafe", "ekspor", "udang", "windu"]


@pytest.mark.parametrize("a, b", [("bertemu", "pertemuan"), ("dikirim", "mengirim"), ("kunjungan", "berkunjung")])
def test_indonesian_forms_of_a_word_share_a_stem(a, b):
    assert stem(a) == stem(b)


def test_passage_terms_keep_the_word_beside_its_stem():
    # The surface form stays searchable, so a name a stemmer would cut ("Merapi" -> "rapi") is still found.
    assert stems("Gunung Merapi meluncurkan awan", "id").split() == ["gunung", "rapi", "merapi", "luncur",
                                                                    "meluncurkan", "awan"]
    assert stems("The leaders were meeting", "en").split() == ["the", "leader", "leaders", "were", "meet", "meeting"]


def test_a_question_word_is_looked_up_as_its_stems_and_standard_forms():
    assert "temu" in variants("ketemu")  # informal -> bertemu -> temu
    # an informal word for several is their phrase, not each word alone ("Korea" of "Korea Selatan")
    assert variants("korut") == ["korut", "korea utara"]
    assert variants("deplu") == ["deplu", "departemen luar negeri"]
    assert variants("gausah") == ["gausah", "usah"]  # "tidak usah": function words are no part of it
    assert "kirim" in variants("ngirim")  # ng- prefix of informal verbs
    assert "kunjung" in variants("mengunjungi")  # the k a nasal prefix swallowed, put back


def test_standardise_rewrites_informal_words_and_drops_particles():
    assert standardise("Udah ketemu sih, Kim sama Putin nggak?") == "sudah bertemu , Kim dengan Putin tidak?"
    assert standardise("Where did they meet?") == "Where did they meet?"
    # "ketemuan" is the verb "meet up" in chat (KBBI: bertemu dengan janji), not the noun "pertemuan"
    assert standardise("Kim sm Putin ketemuan di mana?") == "Kim dengan Putin bertemu di mana?"
    # "as" and "make" are English too: an English question keeps them, an Indonesian one has them read
    assert standardise("What did Putin say as Kim arrived?") == "What did Putin say as Kim arrived?"
    assert standardise("What weapons does North Korea make?") == "What weapons does North Korea make?"
    assert standardise("Apa kata AS soal pertemuan itu?") == "Apa kata amerika serikat soal pertemuan itu?"
    assert standardise("gimana tanggapan as?") == "bagaimana tanggapan amerika serikat?"
    assert standardise("sanksi AS korut rusia") == "sanksi amerika serikat korea utara rusia"
    assert standardise("korut make senjata apa?") == "korea utara memakai senjata apa?"


def test_the_lexicon_is_general_and_well_formed():
    table = colloquial()
    assert len(table) > 200
    assert all(k == k.lower() and k.strip() == k for k in table)
    assert table["gak"] == ("tidak",) and table["sih"] == ()


@pytest.mark.parametrize("question, expected", [
    ("Berapa tentara yang dikirim?", True), ("How many troops were sent?", True), ("Сколько солдат?", True),
    ("派了多少士兵？", True), ("몇 명이 갔나요?", True), ("Di mana mereka bertemu?", False), ("Who met whom?", False),
    ("Berapa hari Kim di Rusia?", True), ("Quantos soldados morreram?", True), ("Quante truppe?", True),
    ("Wie lange dauerte das Treffen?", True), ("Kaç asker gönderdi?", True), ("Đã gửi bao nhiêu binh sĩ?", True),
    ("كم عدد الجنود؟", True), ("कितने सैनिक भेजे?", True), ("ส่งทหารกี่คน", True), ("何人の兵士を送りましたか？", True),
    ("会谈了多长时间？", True), ("派了几个士兵？", True), ("How old is Kim Jong Un?", True), ("How far is it?", True),
    # which date or hour is a time, not a count
    ("Tanggal berapa pertemuannya?", False), ("tahun berapa mereka bertemu?", False), ("jam berapa Kim tiba?", False),
    ("几号见面的？", False), ("몇 시에 만났나요?", False), ("What is the quantum of aid?", False),
])
def test_quantity_questions(question, expected):
    assert (quantity_asked(question) is not None) is expected


@pytest.mark.parametrize("question, kind, at_least", [
    ("Berapa tentara yang dikirim?", "number", 0), ("How many satellites will Russia build?", "number", 0),
    # how long: a length of time
    ("Berapa lama Kim tinggal di Vladivostok?", "duration", 0), ("putin salaman sama kim brp lama?", "duration", 0),
    ("Kim nginep berapa hari di Rusia?", "duration", 0), ("How long was the meeting?", "duration", 0),
    ("How many days did Kim stay?", "duration", 0), ("Combien de temps a duré l'entretien ?", "duration", 0),
    ("¿Cuánto tiempo duró?", "duration", 0), ("Wie lange dauerte das Treffen?", "duration", 0),
    ("Сколько времени длилась встреча?", "duration", 0), ("会谈了多长时间？", "duration", 0),
    # how much money
    ("Berapa nilai kesepakatan senjata itu?", "money", 0), ("Harga emas hari ini berapa?", "money", 0),
    ("berapa biaya visa baru?", "money", 0), ("How much did the summit cost?", "money", 0),
    ("How much money did Russia pay?", "money", 0), ("¿Cuánto cuesta el acuerdo?", "money", 0),
    ("Сколько стоит сделка?", "money", 0), ("这笔交易多少钱？", "money", 0),
    # a scale named after the "how many"
    ("Korut udah ngirim berapa juta peluru?", "number", 1e6), ("Berapa ribu tentara tewas?", "number", 1e3),
    ("How many thousands of troops?", "number", 1e3), ("Berapa miliar dolar nilai bantuan itu?", "money", 1e9),
])
def test_what_a_quantity_question_asks_for(question, kind, at_least):
    assert quantity_asked(question) == Quantity(kind, at_least)
    assert quantity_asked("Di mana mereka bertemu?") is None and quantity_asked("tahun berapa mereka bertemu?") is None


@pytest.mark.parametrize("question, expected", [
    ("Kapan Kim bertemu Putin?", True), ("When did they meet?", True), ("Tanggal berapa pertemuannya?", True),
    ("What year was it?", True), ("Когда они встретились?", True), ("他们什么时候见面的？", True), ("언제 만났나요?", True),
    ("¿Cuándo se reunieron?", True), ("Di mana mereka bertemu?", False), ("Whenever they meet, who pays?", False),
    ("Berapa tentara yang dikirim?", False), ("Pukul berapa Kim tiba?", True), ("Wanneer kwam Kim aan?", True),
    ("Kim Rusya'ya ne zaman geldi?", True), ("Kim đến Nga khi nào?", True), ("متى وصل كيم؟", True),
    ("किम रूस कब पहुंचे?", True), ("คิมมาถึงเมื่อไหร่", True), ("金正恩はいつ到着しましたか？", True), ("几号见面的？", True),
    ("哪一年见面的？", True), ("몇 시에 만났나요?", True), ("金正恩はいつもロシアを支持する", False),
    ("Berapa hari Kim di Rusia?", False), ("In what month did they meet?", True), ("Which month was it?", True),
    # a "when" that opens a clause before the question's own interrogative asks no time
    ("When Kim met Putin, what did they discuss?", False), ("when kim met putin what did they talk about", False),
    ("Cuando Kim llegó a Rusia, ¿quién lo recibió?", False), ("Quand Kim est arrivé, qui l'a accueilli ?", False),
    ("Cuando Kim llegó, ¿cuántos soldados había?", False), ("Quand Kim est arrivé, combien de soldats ?", False),
    ("When did Kim arrive, and who greeted him?", True), ("When and where did they meet?", True),
    ("when kim met putin?", True), ("cuando llego kim a rusia?", True), ("Quand Kim est-il arrivé ?", True),
    # nor does one after it, unless its verb's auxiliary follows
    ("What did Putin say to Kim when he greeted him?", False), ("Who was there when they met?", False),
    ("¿Qué dijo Putin cuando saludó a Kim?", False), ("Qu'a dit Poutine quand il a salué Kim ?", False),
    ("Where and when did they meet?", True), ("How did Kim travel and when did he arrive?", True),
])
def test_time_questions(question, expected):
    assert asks_time(question) is expected


@pytest.mark.parametrize("question, expected", [
    ("Di mana Kim dan Putin bertemu?", True), ("Di kota mana mereka bertemu pada 2025?", True),
    ("kim ama putin ketemuan dimana sih", True), ("Kim pergi ke mana setelah itu?", True),
    ("Where did Kim and Putin meet?", True), ("¿Dónde se reunieron Kim y Putin?", True),
    ("Où Kim et Poutine se sont-ils rencontrés ?", True), ("Wo trafen sich Kim und Putin?", True),
    ("Где встретились Ким и Путин?", True), ("金正恩和普京在哪里会面？", True), ("김정은은 어디서 만났나요?", True),
    ("金正恩はどこでプーチンと会いましたか？", True), ("Kim và Putin gặp nhau ở đâu?", True),
    ("Siapa yang diundang Kim?", False), ("Kapan Putin ke Pyongyang?", False), ("Kim ou Poutine ?", False),
    ("What did Kim say about Russia?", False), ("Berapa tentara yang dikirim?", False),
])
def test_place_questions(question, expected):
    assert asks_place(question) is expected


@pytest.mark.parametrize("question, expected", [
    ("Apa berita terbaru soal Kim?", True), ("Kim terakhir ketemu Putin di mana?", True), ("berita terkini Korut", True),
    ("What's the latest on Kim and Putin?", True), ("Where did they meet most recently?", True),
    ("What did Kim say the last time they met?", True), ("¿Dónde se reunieron la última vez?", True),
    ("金正恩和普京最近一次在哪里见面？", True), ("최근 김정은은 무엇을 했나요?", True),
    ("Siapa jubir Kremlin saat ini?", True), ("Berapa tentara Korut yang tewas hingga kini?", True),
    ("Kim sekarang di mana?", True), ("How many troops have died so far?", True),
    ("Di mana Kim bertemu Putin?", False), ("Kim pertama kali ke Rusia kapan?", False), ("What did Kim say?", False),
    # "terakhir" after a noun is the last of something, not the latest; after a name, when it was last done
    ("Ke mana tujuan terakhir Kim di Rusia?", False), ("Apa yang terjadi di hari terakhir kunjungan Kim?", False),
    ("mereka terakhir ketemu kapan?", True), ("berita terakhir soal Kim", True),
    # the last of what happens again and again is the latest
    ("pertemuan terakhir mereka kapan?", True), ("Di mana kunjungan terakhirnya?", True),
    ("When did Kim and Putin last meet?", True), ("Where was their last summit?", True),
    ("¿Dónde fue la última reunión entre Kim y Putin?", True), ("Wo war ihr letztes Treffen?", True),
    ("Was passierte beim letzten Gipfel?", True), ("Où a eu lieu leur dernière rencontre ?", True),
    ("What happened last week?", False), ("Who spoke last?", False), ("What did Kim do last night?", False),
])
def test_questions_asking_for_the_latest(question, expected):
    assert asks_latest(question) is expected


@pytest.mark.parametrize("question, words_of_recency", [
    ("Di mana pertemuan terakhir Kim-Putin?", {"terakhir"}), ("Kapan terakhir kali Kim bertemu Putin?", {"terakhir", "kali"}),
    ("When did Kim and Putin last meet?", {"last"}), ("What's the latest on Kim?", {"latest"}),
    ("Kim terakhir ketemu Putin di mana?", {"terakhir"}), ("Berapa kali Kim bertemu Putin?", set()),
])
def test_the_words_asking_for_the_latest_are_not_what_is_asked(question, words_of_recency):
    assert recency_words(question) == words_of_recency


@pytest.mark.parametrize("question, expected", [
    ("Apa berita terbaru?", True), ("What's new?", True), ("ada berita apa hari ini?", True), ("update dong", True),
    ("What's the latest news?", True), ("kabar terkini?", True), ("Какие последние новости?", True),
    ("¿Qué hay de nuevo?", True), ("Quoi de neuf ?", True), ("Was gibt es Neues?", True), ("最新新闻是什么？", True),
    ("최신 뉴스 알려줘", True), ("今日のニュースは？", True), ("news", True), ("Quais são as últimas notícias?", True),
    ("Son haberler neler?", True), ("Tin tức mới nhất?", True), ("ما هي آخر الأخبار؟", True),
    # a topic, or nothing that asks for news
    ("Berita terbaru soal Korut?", False), ("What is new with Kim?", False), ("What happened in Ukraine?", False),
    ("Apa?", False), ("Di mana Kim bertemu Putin?", False), ("最新的朝鲜新闻是什么？", False),
    ("Có tin gì mới về Kim?", False), ("Ada berita baru tentang Putin?", False),
])
def test_questions_asking_only_for_the_news(question, expected):
    assert asks_news([w for w in words(question) if w not in STOPWORDS]) is expected


@pytest.mark.parametrize("message, kind", [
    ("makasih ya", "thanks"), ("Terima kasih banyak, bot!", "thanks"), ("thank you so much", "thanks"),
    ("noted, thanks", "thanks"), ("谢谢", "thanks"), ("ありがとうございます", "thanks"), ("halo", "greeting"),
    ("Selamat pagi kak", "greeting"), ("good morning", "greeting"), ("안녕하세요", "greeting"), ("ok", "ok"),
    ("oke sip", "ok"), ("wkwkwk", "ok"), ("👍", "ok"), ("🙏🙏", "ok"), ("??", "ok"), ("hahaha", "ok"),
    ("bye bot!", "ok"), ("dadah", "ok"), ("sampai jumpa", "ok"), ("pamit dulu ya", "ok"), ("see you", "ok"),
    ("au revoir", "ok"), ("пока", "ok"), ("see you in Moscow?", None), ("sampai kapan?", None),
    ("siapa kamu?", "about"), ("kamu bisa apa aja min?", "about"),
    ("What can you do?", "about"), ("help", "about"), ("apa kabar?", "greeting"), ("halo bot, apa kabar?", "greeting"),
    ("gimana kabarnya kak?", "greeting"), ("hi, how are you doing?", "greeting"), ("what's up bot", "greeting"),
    ("hello there", "greeting"), ("¿Qué tal?", "greeting"), ("Ça va ?", "greeting"),
    ("apa kabar terbaru soal Korut?", None), ("How are you, Kim?", None), ("kabar terkini?", None),
    ("kamu tau dari mana?", "sources"), ("dapet info dari mana kak?", "sources"), ("sumbernya apa ya?", "sources"),
    ("Where does this information come from?", "sources"), ("Kim tahu dari mana soal itu?", None),
    ("sumber berita soal Kim apa?", None), ("How do you know Putin?", None),
    ("Kim bilang makasih ke Putin soal apa?", None), ("Selamat datang Kim?", None), ("Apa menu makan malam?", None),
    ("ok, di mana Kim bertemu Putin?", None), ("halo, siapa jubir Kremlin?", None), ("Putin", None),
])
def test_small_talk(message, kind):
    assert small_talk(message) == kind


@pytest.mark.parametrize("message", [
    "link?", "linknya?", "link artikelnya mana?", "ada linknya gak kak?", "minta link beritanya dong", "mana linknya",
    "link sumbernya mana", "bagi link dong min", "artikel lengkapnya mana?", "baca selengkapnya di mana?",
    "berita aslinya mana", "Link please", "source link pls", "got a link?", "any links?", "send me the link",
    "Is there a link to the source?", "where can I read the full article?", "where can i read more", "full article?",
    "url?", "¿enlace?", "lien ?", "l'article complet ?", "ссылку, пожалуйста", "链接？", "링크 주세요",
])
def test_asking_for_the_link_of_an_answer(message):
    assert small_talk(message) == "link"


@pytest.mark.parametrize("message", [
    "What is the link between Kim and Putin?", "apa link antara Korut dan Rusia?", "sumbernya apa ya?",
    "artikel tentang Kim?", "berita terbaru?", "baca apa Kim di sana?", "the full list of delegates?",
])
def test_a_question_mentioning_links_or_articles_is_not_asking_for_one(message):
    assert small_talk(message) != "link"


@pytest.mark.parametrize("message", [
    "ada lagi?", "ada lagi gak?", "lagi dong", "apa lagi?", "yang lain?", "yg lainnya?", "lainnya dong kak",
    "masih ada lagi?", "selain itu?", "berita lain?", "sumber lain dong", "hasil berikutnya", "lanjutin dong min",
    "more?", "more please", "show me more", "any more?", "anything else?", "what else?", "others?", "next page",
    "is that all?", "tell me more", "¿algo más?", "¿Qué más?", "autre chose ?", "encore ?", "noch mehr", "ещё?",
    "Еще что-нибудь?", "更多", "还有吗？", "더 있어요?", "他には？",
    # said in other words: every word of its own asks for more
    "ada yg lain ga?", "masih ada berita lainnya?", "kasih lagi dong", "next please", "ещё есть?", "lainnya ada ga kak?",
    "got more?", "any other?",
    # session 39: Indonesian's "-nya", "lanjut", and more languages
    "masih ada lagi gak beritanya", "terus apa lagi?", "lanjut", "keep going", "und weiter?", "give me another",
    "kalo yang lainnya gimana?", "autres ?",
])
def test_asking_for_more_of_an_answer(message):
    assert small_talk(message) == "more"


@pytest.mark.parametrize("message", [
    "what else did Kim say?", "apa lagi yang dibahas?", "siapa lagi yang datang?", "Kim ke Rusia lagi?",
    "more troops?", "who else was there?", "lain kali aja", "more weapons for russia?", "next meeting?",
    "plus tard", "mas, kim ketemu siapa?", "other leaders at the parade?", "nothing more", "berita lain soal banjir?",
    "ada lagi soal pasukan Korut?", "siapa aja selain Kim?", "more on the Beijing parade", "other countries at the parade?",
    "lanjutan pertemuan Kim Putin?", "next meeting Kim Putin kapan?", "what other weapons did Russia want?",
    "keep going to Vladivostok?",
])
def test_a_question_saying_more_or_else_is_not_asking_for_more(message):
    assert small_talk(message) != "more"


@pytest.mark.parametrize("message", [
    "beneran?", "bener gak?", "serius?", "seriusan?", "yakin?", "masa sih?", "kata siapa?", "siapa bilang?",
    "emang bener?", "hoax?", "apa benar itu?", "yakin itu bener?", "really?", "Seriously?", "is that true?",
    "are you sure?", "says who?", "who said so?", "for real?", "any proof?", "¿En serio?", "Vraiment ?", "C'est vrai ?",
    "Wirklich?", "Правда?", "真的吗？", "진짜요?", "本当に？",
    "serius lu?", "you sure?", "source?", "fr?", "¿es cierto?", "serius nih?", "bener ga sih itu", "that true?",
    "echt?", "это правда?",
    # session 39: a word that is also a function word ("sûr"), and more ways of doubting
    "ah yang bener", "sumbernya bisa dipercaya?", "wait is this legit?", "no way, really?", "c'est sûr ?", "это точно?",
    "ini fakta atau hoax?", "valid ga nih", "is that accurate?", "sounds fake", "echt jetzt?",
])
def test_doubting_an_answer(message):
    assert small_talk(message) == "confirm"


@pytest.mark.parametrize("message", [
    "who said that?", "Apa benar Kim ke Rusia?", "benar kah Putin datang?", "really big parade?",
    "Serius nih, Kim ketemu Putin di mana?", "asli mana?", "masa depan hubungan Korut Rusia?",
    "fakta soal pertemuan Kim?", "proof of the deal?", "bener ga Kim ketemu Xi?", "is it true Putin invited Kim?",
    "is the deal real or just talk?", "did Putin lie?", "sumber amunisi Rusia?", "fake news about Kim?",
    "serius, kapan Putin ke Pyongyang?", "seriusan Kim naik kereta?", "benarkah Korut kirim pasukan?",
])
def test_a_question_saying_true_or_really_is_not_doubting(message):
    assert small_talk(message) != "confirm"


@pytest.mark.parametrize("message", [
    "maksudnya?", "maksudnya gimana?", "apa maksudnya?", "artinya?", "konteksnya?", "jelasin dong",
    "jelasin lagi dong kak", "tolong jelaskan", "penjelasannya?", "detailnya?", "lebih detail dong",
    "what do you mean?", "meaning?", "context?", "can you explain that?", "elaborate please", "more details",
    "¿Qué significa?", "c'est-à-dire ?", "Was heißt das?", "Что это значит?", "什么意思？", "무슨 뜻이에요?",
    "どういう意味ですか？", "maksud lo apa?", "ga ngerti, maksudnya?", "jelasin lebih detail dong min", "terangin dong",
    "I don't get it", "what does that mean?", "explain pls", "bisa dijelasin?", "bingung, maksudnya gimana?",
    # session 39
    "bisa dijelasin lebih lanjut?", "¿qué quiere decir eso?", "ga paham aku", "i'm confused", "penjelasannya dong",
])
def test_asking_what_an_answer_means(message):
    assert small_talk(message) == "context"


@pytest.mark.parametrize("message", [
    "apa maksud Kim mengundang Putin?", "jelaskan kerja sama militer Korut Rusia", "what does Kim mean by holy war?",
    "explain the deal between Kim and Putin", "details of the agreement?", "artinya buat Korea Selatan apa?",
    "what does the deal mean for Ukraine?", "jelasin soal kerja sama militer", "apa arti pertemuan itu buat Korsel?",
    "explain why Kim went to Russia", "maksud Putin apa mengundang Kim?",
])
def test_a_question_asking_to_explain_something_is_searched(message):
    assert small_talk(message) != "context"


@pytest.mark.parametrize("message, topic", [
    ("rangkum dong", ""), ("rangkumannya?", ""), ("summary?", ""), ("tl;dr", ""), ("TL;DR pls", ""),
    ("kronologinya gimana?", ""), ("what happened so far?", ""), ("intinya apa?", ""), ("halo bot, ringkas dong", ""),
    ("kronologi soal Kim Putin dong", "Kim Putin"), ("summary of the Kim Putin meeting", "Kim Putin meeting"),
    ("Can you give me a quick recap of the Kim-Putin talks?", "Kim-Putin talks"), ("catch me up on North Korea", "North Korea"),
    ("rangkuman berita Korut 2025", "Korut 2025"), ("kim putin kronologinya gimana?", "kim putin"),
    # a question asking who, when, where or how many is a question; no overview word, no overview
    ("siapa yang bikin ringkasan?", None), ("kapan kronologi itu dimulai?", None), ("how many troops, in summary?", None),
    ("Di mana Kim dan Putin bertemu?", None), ("berita terbaru", None), ("makasih", None),
])
def test_asking_for_the_story_so_far(message, topic):
    assert overview_topic(message) == topic


@pytest.mark.parametrize("message, topic", [
    ("outlet mana aja yang memberitakan pertemuan di Vostochny?", "pertemuan di Vostochny"),
    ("media mana saja yang meliput soal pasukan Korut?", "pasukan Korut"),
    ("siapa yang memberitakan pertemuan Kim Putin?", "pertemuan Kim Putin"),
    ("pertemuan Kim Putin diberitakan media apa aja?", "pertemuan Kim Putin"),
    ("which outlets covered the troop deployment?", "the troop deployment"),
    ("Which papers ran the story about Kim's train?", "the story about Kim's train"),
    ("who covered the Beijing parade?", "the Beijing parade"),
    # the story an answer was about
    ("siapa aja yang memberitakan ini?", ""), ("What other media covered this?", ""), ("who else carried it?", ""),
    ("media mana aja?", ""), ("media mana lagi yang memuat berita itu?", ""),
    # who, inside the news, said so: a question
    ("who reported that NK wants satellites and submarines", None), ("siapa yang melaporkan bahwa Korut ingin satelit?", None),
    ("Kantor berita apa yang melaporkan undangan Kim kepada Putin?", None), ("which agency reported the invitation?", None),
    ("media mana yang melaporkan undangan itu?", None),
    ("Di mana Kim dan Putin bertemu?", None), ("sumber mana yang bilang 13.000 tentara?", None),
])
def test_asking_which_outlets_carry_a_story(message, topic):
    assert reported_topic(message) == topic


@pytest.mark.parametrize("text, expected", [
    ("cuaca besok?", True), ("harga cabai 2025", True), ("Kim kereta", True), ("pertemuan kunjungan", True),
    ("handshake duration?", False), ("Kim train", False), ("Putin Kim", False), ("premier league table", False),
    ("Где Ким?", False), ("?!", False), ("2025", False),
])
def test_all_indonesian_words(text, expected):
    assert all_indonesian_words(text) is expected


def test_numbers_in_digits_or_words():
    assert has_number("sekitar 13.000 tentara") and has_number("dua jam") and has_number("dozens of troops")
    assert not has_number("Kim tiba dengan kereta khusus")


@pytest.mark.parametrize("word, place", [("korean", "korea"), ("russian", "russia"), ("chinese", "china"),
                                         ("ukrainian", "ukraine"), ("ukrainian", "ukraina"), ("japanese", "japan"),
                                         ("indonesian", "indonesia"), ("iranian", "iran")])
def test_a_peoples_word_names_its_place(word, place):
    assert place in demonym_places(word)


@pytest.mark.parametrize("word, spelled", [
    ("pacific", "pasifik"), ("satellite", "satelite"), ("technology", "teknologi"), ("photo", "foto"), ("cyber", "siber"),
    ("theory", "teori"), ("export", "eksport"), ("quota", "kuota"), ("kim", "kim"), ("yoon", "yoon"),
    ("group", "grup"), ("tour", "tur"), ("route", "rute"), ("journal", "jurnal"),
])
def test_a_borrowed_word_is_spelled_as_indonesian_spells_it(word, spelled):
    assert loanword_spelling(word) == spelled


@pytest.mark.parametrize("word, form", [
    ("confirmation", "konfirmasi"), ("sanctions", "sanksi"), ("invasion", "invasi"), ("negotiations", "negotiasi"),
    ("university", "universitas"), ("active", "aktif"), ("political", "politis"), ("coordinate", "koordinasi"),
    ("communism", "komunisme"),
])
def test_a_borrowed_word_ends_as_indonesian_ends_it(word, form):
    assert form in loanword_forms(word)
    assert loanword_forms(word)[0] == loanword_spelling(word)


@pytest.mark.parametrize("verb, noun", [
    ("confirm", "konfirmasi"), ("confirmed", "konfirmasi"), ("discuss", "diskusi"), ("discussing", "diskusi"),
    ("modernize", "modernisasi"), ("verified", "verifikasi"), ("protect", "proteksi"), ("negotiate", "negosiasi"),
    ("evacuated", "evakuasi"), ("consult", "konsultasi"), ("informs", "informasi"),
])
def test_an_english_verb_is_borrowed_as_its_noun(verb, noun):
    assert borrowed_nouns(verb) == [noun]


def test_only_latin_words_of_some_length_are_read_as_borrowed_verbs():
    assert borrowed_nouns("kim") == borrowed_nouns("встреча") == borrowed_nouns("covid19") == []


def test_words_that_name_no_people_name_no_place():
    assert demonym_places("putin") == demonym_places("kim") == demonym_places("ran") == []


def test_names_are_capitalised_words_after_the_first():
    assert names("Kim Yo Jong ikut ke Rusia nggak?") == ["yo", "jong", "rusia"]
    assert names("Who won the 2023 NBA Finals?") == ["nba", "finals"]
    assert names("NBA finals") == ["nba"]  # an acronym counts even first
    assert names("apa kabar") == []
    # Compass words are translated with the names they are part of.
    assert names("How many North Korean soldiers went to the Far East?") == ["korean"]  # "Timur Jauh"
    assert names("Did Kim visit the Middle East or Central Asia?") == ["kim", "asia"]
    assert names("Who has Russia courted since the West shunned it?") == ["russia"]
    assert names("Apa kata Korea Selatan?") == ["korea"]
    assert names("¿Qué quiere Corea del Norte?") == ["corea"]
    assert names("Que veut la Corée du Nord ?") == ["coree"]
    assert names("Nordkorea, Korea im Ost") == ["korea"]  # one German word is too few to tell German
    # Spanish opens a question with "¿": its first word is still the first.
    assert names("¿Cuántos soldados norcoreanos han muerto en Kursk?") == ["kursk"]
    assert names("¡Hola! ¿Dónde está Kim?") == ["kim"]
    # German capitalises every noun: there only acronyms count
    assert names("Was hat Kim ins Gästebuch geschrieben?") == []
    assert names("Wann ist Kim in Russland angekommen?") == []
    assert names("Wann hat die NATO das gesagt?") == ["nato"]
    assert names("Who was the Kremlin spokesman?") == ["kremlin"]


@pytest.mark.parametrize("question, expected", [
    ("Siapa juara liga musim lalu?", "id"),
    ("Kim udah ketemu Putin belum sih?", "id"),
    ("Who won the league last season?", "en"),
    ("Что Кремль сказал?", None),
    ("Kim Putin Vostochny", None),
    # German shares "was", "will" with English: the question is neither
    ("Was hat Kim ins Gästebuch geschrieben?", None), ("Was will Kim von Russland?", None),
    ("What was Kim's message in the guestbook?", "en"),
    # French shares "a" with English: the question is neither; a French word in English leaves it English
    ("Combien de temps a duré l'entretien entre Kim et Poutine ?", None),
    ("Où Kim et Poutine se sont-ils rencontrés ?", None), ("Who is the de facto leader of the party?", "en"),
    # Spanish, Portuguese and Italian share "a", "do", "in" with English or "para" with Indonesian
    ("Quantos soldados a Coreia do Norte enviou para a Rússia?", None), ("O que Kim disse a Putin?", None),
    ("¿Cuántos soldados envió Corea del Norte a Rusia?", None), ("Cosa ha detto Kim a Putin?", None),
    ("Did Kim go to a factory in Komsomolsk?", "en"), ("Siapa para pemimpin yang hadir di parade?", "id"),
])
def test_question_language_by_function_words(question, expected):
    assert question_language(question) == expected


def test_a_words_script_is_that_of_its_first_letter():
    assert [script(w) for w in ("Kim", "Müller", "Кремль", "김정은", "金正恩", "2025", "9К")] == \
        ["LATIN", "LATIN", "CYRILLIC", "HANGUL", "CJK", "", "CYRILLIC"]


@pytest.mark.parametrize("message, expected", [
    ("https://www.antaranews.com/berita/3712345/kim-dan-putin-bertemu?utm_source=wa bener?",
     "berita kim dan putin bertemu bener?"),
    ("www.tempo.co/read/1770/putin-terima-undangan.html", "read putin terima undangan"),
    ("@budi kim ketemu putin di mana?", "kim ketemu putin di mana?"),
    ("tulis ke redaksi@tempo.co ya", "tulis ke redaksi@tempo.co ya"),  # an address is not a handle
    ("https://x.com/", ""),
])
def test_a_message_is_searched_as_its_words_links_as_their_slug(message, expected):
    assert " ".join(plain(message).split()) == expected


@pytest.mark.parametrize("message, expected", [
    ("halo bot, aku mau tanya dong, Kim sama Putin ketemu di mana ya?", "Kim sama Putin ketemu di mana ya?"),
    ("@newsbot pagi kak! numpang nanya: kapan Kim tiba?", "kapan Kim tiba?"),
    ("Hi! Quick question: where did Kim and Putin meet?", "where did Kim and Putin meet?"),
    # An opening that says something stays, and so does a message that is only a greeting.
    ("Menurut Kim, Rusia lagi ngadepin kekuatan apa?", "Menurut Kim, Rusia lagi ngadepin kekuatan apa?"),
    ("Sebelum ketemu di Vostochny, udah berapa lama?", "Sebelum ketemu di Vostochny, udah berapa lama?"),
    ("halo bot, apa kabar?", "apa kabar?"),
    ("apa kabar, di mana Kim bertemu Putin?", "di mana Kim bertemu Putin?"),
    ("Halo?", "Halo?"),
    ("U.S. officials said what?", "U.S. officials said what?"),
])
def test_a_greeting_or_announcement_opening_a_message_is_not_searched(message, expected):
    assert " ".join(plain(message).split()) == expected


@pytest.mark.parametrize("sentence, asks", [
    ("Lantas, apa saja syaratnya?", True),
    ("Kapan Aturan Ini Mulai Berlaku? ", True),
    ("金正恩说了什么？", True),
    ("Kim bertanya, “Mengapa dunia diam?”", False),  # a question someone is reported asking: a statement
    ("“Apakah ini adil?” kata Kim.", False),
    ("Aturan itu mulai berlaku pada 1 Oktober.", False),
])
def test_a_question_is_a_sentence_that_ends_asking(sentence, asks):
    assert is_question(sentence) is asks


@pytest.mark.parametrize("line, heading", [
    ("Kronologi Kejadian", True),
    ("Rekomendasi Saham Hari Ini", True),
    ("4. Komputer dan laptop", True),  # a list item: its number is the list's, not a figure
    ("A. Ruas Tol Cipularang", True),
    ("Nicolas Paz (Como)", True),
    ("(Reporter: Shinta Dwi Ayu | Editor: Larissa Huda)", True),
    ("Emas 3 gram: Rp 5.507.000", False),  # states a figure
    ("KA Sawunggalih (18.681 pelanggan)", False),
    ("Gunung Fuji baru dibuka resmi 1 Juli 2025", False),
    ("Kim dan Putin bertemu di Vostochny.", False),
    ("Inilah langkah-langkah cek BSU tahap 4 2025:", False),
    ("Lantas, apa saja syaratnya?", False),  # a question: `is_question`
    ("Kim dan Putin bertemu di pusat peluncuran roket Vostochny di wilayah Timur Jauh Rusia", False),  # long
])
def test_a_heading_is_a_short_line_that_names_without_stating(line, heading):
    assert is_heading(line) is heading


def test_a_name_is_shown_as_the_question_writes_it_with_the_capitalised_words_beside_it():
    from newsbot.index.terms import written_name

    assert written_name("Apa kata Wali Kota Surabaya soal Kim?", "wali") == "Wali Kota Surabaya"
    assert written_name("Apa kata Wali Kota Surabaya soal Kim?", "kim") == "Kim"
    assert written_name("Apa Surabaya bilang?", "surabaya") == "Surabaya"  # the opening function word is not
    assert written_name("What did Kim Jong-un tell Zorro?", "jong") == "Kim Jong-un"
    assert written_name("Kim–Putin talks?", "putin") == "Putin"  # a dash between is no space
    assert written_name("apa kata surabaya?", "bandung") == "bandung"
