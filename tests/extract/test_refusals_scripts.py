"""Refusals that are right: every script's length, pop-ups beside articles, bot checks,
pages that are not articles."""

from __future__ import annotations

import pytest

from tearsheet.errors import ExtractionError
from tearsheet.extract import extract
from tearsheet.extract.script import count_words

URL = "https://news.example.org/2024/05/01/story"
SENTENCE = ("The council voted on Tuesday to rebuild the old bridge, and the work will start "
            "next spring after a year of public hearings. ")


def _article(body: str, *, head: str = "", extra: str = "", title: str = "Bridge vote") -> str:
    return (f"<html><head><title>{title}</title>{head}</head><body>{extra}<article>"
            f"<h1>{title}</h1>{body}</article></body></html>")


def test_words_of_unspaced_scripts_count_by_characters() -> None:
    assert count_words("one two three") == 3
    assert count_words("谷歌在2014年收购的人工智能公司") == 8  # 16 characters, "2014" apart
    assert count_words("Tokyo 東京都 is big") == 5
    assert count_words("วันนี้อากาศดีมาก") == 8


def test_a_short_chinese_article_is_not_refused_as_too_short() -> None:
    paragraphs = ["谷歌在2014年收购的人工智能公司开发出一款能够用自己的记忆学习新知识的计算机。",
                  "这款计算机可以利用这些知识来回答问题，研究人员称之为可微分神经计算机。"]
    html = _article("".join(f"<p>{p}</p>" for p in paragraphs), title="人工智能")
    assert extract(html, URL).paragraphs == paragraphs


def test_a_login_pop_up_beside_a_real_article_is_accepted() -> None:
    popup = ("<div class='modal'><h2>Sign in</h2><form><input type='email' name='e'>"
             "<input type='password' name='p'><button>Log in</button>"
             "<a href='/forgot'>Forgot your password?</a></form></div>")
    html = _article(f"<p>{SENTENCE * 3}</p><p>{SENTENCE * 2}</p>", extra=popup)
    assert len(extract(html, URL).text.split()) > 60


def test_a_login_page_is_still_refused() -> None:
    html = ("<html><head><title>Sign in | Example News</title></head><body><h1>Sign in</h1>"
            "<form><input type='email'><input type='password'><button>Log in</button></form>"
            "<p>Forgot your password?</p></body></html>")
    with pytest.raises(ExtractionError) as caught:
        extract(html, URL)
    assert caught.value.reason == "login"


@pytest.mark.parametrize("page", [
    "<html><head><title>Just a moment...</title></head><body><h1>Checking if the site "
    "connection is secure</h1><p>example.org needs to review the security of your "
    "connection before proceeding.</p><script src='/cdn-cgi/challenge-platform/h/b/orchestrate"
    "/jsch/v1'></script></body></html>",
    "<html><head><title>example.org</title></head><body><div class='g-recaptcha' "
    "data-sitekey='x'></div><p>Please verify you are a human to continue.</p></body></html>",
])
def test_a_bot_check_is_refused_as_blocked(page: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(page, URL)
    assert caught.value.reason == "blocked"


def test_a_home_page_that_says_it_is_a_collection_is_not_an_article() -> None:
    ld = ('<script type="application/ld+json"><![CDATA[{"@context": "https://schema.org", '
          '"@type": "CollectionPage", "mainEntity": {"@type": "ItemList", "itemListElement": '
          '[]}}]]></script>')
    teasers = "".join(f"<h2><a href='/s{n}'>Story number {n} of the day</a></h2>"
                      f"<p>A line about story {n}.</p>" for n in range(8))
    html = (f"<html><head><title>Example News</title>{ld}</head><body><main>{teasers}"
            "</main></body></html>")
    with pytest.raises(ExtractionError) as caught:
        extract(html, URL)
    assert caught.value.reason == "not_article"


def test_a_gallery_without_text_is_not_an_article() -> None:
    images = "".join(f"<figure><img src='/p{n}.jpg' alt='Photo {n}'></figure>"
                     for n in range(12))
    html = _article(images + "<p>The best pictures.</p>", title="In pictures")
    with pytest.raises(ExtractionError) as caught:
        extract(html, URL)
    assert caught.value.reason == "not_article"


def test_a_right_to_left_article_keeps_its_order_and_language() -> None:
    paragraphs = ["وافق المجلس البلدي يوم الثلاثاء على إعادة بناء الجسر القديم فوق النهر.",
                  "وسيبدأ العمل في الربيع المقبل بعد عام من جلسات الاستماع العامة."]
    html = ('<html dir="rtl"><head><title>الجسر</title></head><body><article><h1>الجسر</h1>'
            + "".join(f"<p>{p}</p>" for p in paragraphs * 2) + "</article></body></html>")
    found = extract(html, URL)
    assert found.paragraphs == paragraphs * 2
    assert found.language == "ar"  # named by its script: the page declares none


def test_a_declared_language_is_kept() -> None:
    html = _article(f"<p>{SENTENCE * 3}</p>", head='<meta property="og:locale" content="en_GB">')
    assert extract(html, URL).language == "en-GB"


@pytest.mark.parametrize(("lang", "body", "expected"), [
    # A theme's default lang="en" on a Japanese article: the script says otherwise.
    ("en-US", "東京都は十日、新型ウイルスの感染者が新たに三百人確認されたと発表した。" * 3, "ja"),
    ("en", "وافق المجلس البلدي يوم الثلاثاء على إعادة بناء الجسر القديم فوق النهر. " * 3, "ar"),
    # Languages written in that script are believed.
    ("fa", "وافق المجلس البلدي يوم الثلاثاء على إعادة بناء الجسر القديم فوق النهر. " * 3, "fa"),
    ("zh-TW", "谷歌在2014年收購的人工智慧公司開發出一款能夠學習新知識的電腦。" * 3, "zh-TW"),
    # An English article quoting a little Japanese is still English.
    ("en", SENTENCE * 3 + "「無料です」と述べた。", "en"),
])
def test_the_language_declared_is_checked_against_the_bodys_script(
        lang: str, body: str, expected: str) -> None:
    html = (f'<html lang="{lang}"><head><title>Story</title></head><body><article>'
            f"<h1>Story</h1><p>{body}</p><p>{body}</p></article></body></html>")
    assert extract(html, URL).language == expected
