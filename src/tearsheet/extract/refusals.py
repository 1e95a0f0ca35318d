"""Bad captures: pages served with 200 that are not the article, recognised by what they say.

A consent wall, a paywall teaser, a login form, an error or "not found" page served with
status 200, a body cut off in transit: stored as a version, each would be a phantom edit
("the article was deleted") and then a phantom restoration. :func:`refuse_if_not_article` names
the kind, as :attr:`ExtractionError.reason`, so the check fails, is retried with backoff,
and ``status`` says why.

The signs are only looked for when the body is short (under :data:`SHORT_WORDS`), in the
body itself or, for a stub (under :data:`TINY_WORDS`), in the page's visible text: a real
article that mentions cookies, or sits beside a cookie banner, is never refused for it.
The visible text is read only for stubs, so the common case costs nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import lxml.html
from lxml import etree

from tearsheet.errors import ExtractionError
from tearsheet.extract.script import FULL_STOPS, count_words, unspaced, word_key

SHORT_WORDS = 200
"""A body shorter than this is examined for the signs of a wall or an error page."""
TINY_WORDS = 40
"""Below this the body is a stub, and the whole page's text is read for the signs."""
MIN_WORDS = 20
"""A body shorter than this is not an article, unless it reports what the headline says
(:func:`reports_headline`: the first version of a breaking story)."""
STUB_SENTENCE_WORDS = 6
"""The fewest words of the sentence a short body must hold to be taken for a report."""

_FLAGS = re.IGNORECASE
_SOFT_404 = re.compile(
    r"\b(?:page not found|not found|(?:can ?not|can't|could not|couldn't) be found|"
    r"no longer (?:available|exists)|(?:does not|doesn't) exist|"
    r"page you (?:are|were|'re) looking for)\b|"
    # The number alone is news ("404 jobs cut", "story (404)"): only as a status code.
    r"\b(?:error|http|status|code)\s*:?\s*404\b|\b404\s*(?:[-–—:]\s*)?(?:error|page)\b", _FLAGS)
_BARE_404 = re.compile(r"^\W*404\s*(?:$|[|:–—-])")
"""A heading that is the code and nothing else, or before a separator ("404 | Site")."""
_ERROR = re.compile(
    r"\b(?:(?:error|http) 50[0-4]|50[0-4] error|internal server error|"
    r"service (?:temporarily )?unavailable|bad gateway|"
    r"something went wrong|an error (?:has )?occurred|unexpected error|access denied|"
    r"forbidden|too many requests|temporarily unavailable)\b", _FLAGS)
_CONSENT = re.compile(
    r"(?:\b(?:accept|agree to|allow|reject)(?: all)? (?:the use of )?cookies\b|"
    r"\bcookie (?:settings|preferences|consent)\b|\bwe (?:and our (?:\d+ )?partners )?"
    r"(?:use|store and/or access) (?:cookies|information on a device)\b|"
    r"\byour privacy choices\b|\bwe value your privacy\b|\bmanage (?:your )?(?:privacy|consent)\b|"
    r"\bbefore you continue\b|\bconsent to (?:the use|our use|cookies)\b)", _FLAGS)
_PAYWALL = re.compile(
    r"(?:\b(?:subscribe|subscription|sign up|log in|register)\b[^.]{0,40}\bto "
    r"(?:continue reading|read (?:the|this) (?:full |rest)|keep reading|unlock|read more)|"
    r"\bsubscribers? only\b|\byou have (?:read|reached) (?:all )?your (?:\d+ )?free articles?\b|"
    r"\bfree articles? (?:left|remaining)\b|\balready a (?:subscriber|member)\b|"
    r"\bto continue reading\b|"
    r"\bthis (?:article|story|content) is (?:only )?(?:available|reserved|exclusive) "
    r"(?:to|for) (?:subscribers|members|premium)|\bbecome a (?:subscriber|member)\b|"
    r"\bsubscribe (?:now|today) (?:for|from) [$€£]?\d|\bpremium (?:article|content)\b)",
    _FLAGS)
_LOGIN = re.compile(r"\b(?:sign in|log ?in|forgot (?:your )?password)\b", _FLAGS)
_PASSWORD = re.compile(r"<input\b[^>]{0,300}?\btype\s*=\s*[\"']?password", _FLAGS)
# Bot checks: Cloudflare's, Akamai's, PerimeterX's, DataDome's, and CAPTCHA walls in words.
_CHALLENGE = re.compile(
    r"\b(?:just a moment\.\.\.|checking (?:if the site connection is secure|your browser)|"
    r"verify(?:ing)? (?:that )?you are (?:a )?human|are you a robot|i'?m not a robot|"
    r"please (?:enable|turn on) (?:javascript and cookies|cookies and javascript)|"
    r"attention required!? \| cloudflare|access to this page has been denied|"
    r"press (?:&|and) hold|unusual traffic from your (?:computer|network)|"
    r"complete the (?:security check|captcha))", _FLAGS)
_CHALLENGE_MARKUP = re.compile(
    r"/cdn-cgi/challenge-platform/|\bcf-browser-verification\b|\bcf_chl_opt\b|"
    r"\bg-recaptcha\b|\bh-captcha\b|\bcaptcha-delivery\.com\b|\bpx-captcha\b|"
    r"_Incapsula_Resource|\bchallenge-form\b", _FLAGS)
# Pages that say in their JSON-LD that they list other pages (and say nothing of an article).
_COLLECTION_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage",
                               "imagegallery", "mediagallery", "profilepage"})
_ARTICLE_TYPES = frozenset({"article", "newsarticle", "reportagenewsarticle", "blogposting",
                            "analysisnewsarticle", "opinionnewsarticle", "liveblogposting",
                            "reviewnewsarticle", "backgroundnewsarticle", "report",
                            "scholarlyarticle", "techarticle", "socialmediaposting"})
_IMAGE = re.compile(r"<img\b", _FLAGS)
_GALLERY_IMAGES = 8
_END_OF_PAGE = re.compile(r"</(?:html|body)\s*>", _FLAGS)
_SENTENCE_END = re.compile(rf"[.!?…\"”’»)\]:;*{FULL_STOPS}]\s*$")
# A complete sentence: it ends with a full stop (after any closing quote), in any script.
_COMPLETE = re.compile(r"[.!?。！？…][\"”’»)\]」』]*$")
# What a page says while there is nothing to report yet: not a report itself.
_PLACEHOLDER = re.compile(
    r"\b(?:developing|(?:will|to) be updated|check back|more (?:details |information )?"
    r"(?:to come|to follow|soon)|updates? (?:to follow|soon)|refresh|coming soon|"
    r"under construction)\b", _FLAGS)
_TERM = re.compile(r"\w+")
# What a page says to its reader about itself rather than about anything else: on a page
# of a few words and nothing more, a notice ("Subscribe to read.", "Nothing here.").
_NOTICE = re.compile(
    r"\b(?:subscri\w*|sign(?:ed)? ?(?:in|up)|log(?:ged)? ?in|register\w*|members? only|"
    r"nothing (?:here|to see|found|to show)|no (?:content|results?|articles?|posts?|items?)|"
    r"not (?:available|found|exist\w*|allowed|authori[sz]ed|permitted|supported)|"
    r"unavailable|denied|forbidden|error|fail\w*|block\w*|redirect\w*|loading|"
    r"javascript|browser|cookies?|please|sorry|try again|maintenance|offline|expired|"
    r"removed|deleted|moved|captcha|robot)\b", _FLAGS)
# What makes a page more than the text it holds: code that draws (a script that is not
# data), a refresh that sends the reader on, a form, another document in a frame or embed,
# a site's template (navigation, header, footer, sidebar).
_ELSEWHERE = re.compile(
    r"<script\b(?![^>]{0,500}?\btype\s*=\s*[\"']?application/(?:ld\+)?json)|"
    r"\bhttp-equiv\s*=\s*[\"']?refresh|"
    r"<(?:form|i?frame|object|embed|nav|header|footer|aside|menu)\b", _FLAGS)
# Words that say nothing of what a story is about (a notice shares them with any headline).
_EMPTY_WORDS = frozenset({"this", "that", "with", "from", "your", "have", "will", "been",
                          "they", "their", "what", "when", "more", "about", "page", "story",
                          "article", "news", "here", "there", "please", "sorry"})


def refuse_if_not_article(
    page: str, paragraphs: Sequence[str], *, headings: Sequence[str | None] = (),
    free: bool | None = None, kinds: frozenset[str] = frozenset(),
    shown: Sequence[str] = (),
) -> None:
    """Raise :class:`ExtractionError` (with a ``reason``) if this is not the article.

    ``page`` is the decoded HTML, ``paragraphs`` the extracted body, ``headings`` the
    page's title, ``<title>`` and ``<h1>`` texts, ``free`` its JSON-LD
    ``isAccessibleForFree`` (None when it does not say), ``kinds`` the schema.org types
    its JSON-LD declares, ``shown`` the headings the page shows (its ``<h1>`` texts).
    """
    words = sum(count_words(p) for p in paragraphs)
    if words and _truncated(page, paragraphs):
        raise ExtractionError("the page ends in the middle of the body (truncated "
                              "in transit?)", reason="truncated")
    if words >= SHORT_WORDS:
        return
    # A wall's words are in the body itself, or the body is a stub and the page says so;
    # a banner beside a short article (cookie notices are everywhere) is not a wall.
    body = " ".join(paragraphs)
    visible = visible_text(page) if words < TINY_WORDS else ""
    named = [h for h in headings if h]
    # Only short headings: "Missing hiker not found" is news, "Page not found" is not.
    short = [h for h in named if len(h.split()) <= 8]
    heading = " | ".join(short)
    # A login form is the page when it is named so, or when there is no article beside it
    # (a log-in pop-up sits beside many real articles).
    if has_password_field(page) and (_LOGIN.search(heading) or (
            words < TINY_WORDS and _LOGIN.search(visible[:2000]))):
        raise ExtractionError("a login page, not the article", reason="login")
    if _CHALLENGE.search(heading) or (words < TINY_WORDS and (
            _CHALLENGE_MARKUP.search(page) or _CHALLENGE.search(visible[:3000]))):
        raise ExtractionError("a bot check (a JavaScript challenge or CAPTCHA), not the "
                              "article: the site blocks automated reading", reason="blocked")
    if _SOFT_404.search(heading) or any(_BARE_404.match(h) for h in short):
        raise ExtractionError("a \"page not found\" page served as a success (soft 404)",
                              reason="soft_404")
    if _ERROR.search(heading):
        raise ExtractionError("an error page served as a success", reason="error_page")
    if _CONSENT.search(body) or _CONSENT.search(visible):
        raise ExtractionError("a cookie or consent wall, not the article", reason="consent")
    if free is False or _PAYWALL.search(body) or _PAYWALL.search(visible):
        raise ExtractionError("a paywall teaser, not the whole article", reason="paywall")
    if kinds & _COLLECTION_TYPES and not kinds & _ARTICLE_TYPES:
        raise ExtractionError("a home, section, tag or search page, not an article",
                              reason="not_article")
    if words < MIN_WORDS and len(_IMAGE.findall(page)) >= _GALLERY_IMAGES:
        raise ExtractionError("a photo gallery without text, not an article",
                              reason="not_article")
    if words < MIN_WORDS and not reports_headline(paragraphs, named, shown) and \
            not bare_page(page, body, visible, named):
        raise ExtractionError(
            "no article text found (an error, consent or paywall page, or not an article)",
            reason="too_short")


def has_password_field(page: str) -> bool:
    """Whether the page holds a password field (a login form, or a log-in pop-up beside
    the article): read of the whole page when the body is short (the decision key of a
    short body covers it, extract/recheck.py)."""
    return _PASSWORD.search(page) is not None


def reports_headline(paragraphs: Sequence[str], headings: Sequence[str],
                     shown: Sequence[str] = ()) -> bool:
    """A short body that is a report: a complete sentence of a few words, no placeholder
    ("This is a developing story."), about what the page's headline names (a word of it).

    A breaking story's first version is a sentence or two ("BREAKING: Fed raises rates by
    a quarter point."); refusing it would lose that version. A notice in the body's place
    ("This video is not available in your country.") shares no word with the headline, and
    the walls, error pages and bot checks were refused before this is asked. A known
    article whose body collapses to a stub is fetched again and held back by the tracker.
    A paragraph that holds a heading the page shows apart (``shown``, its ``<h1>`` s) and
    more is no report: it is the page's text read in one piece, menus, headline, byline
    and all (trafilatura reads a page so when it finds almost no body).
    """
    topic = _terms(" ".join(headings))
    apart = [key for h in shown if (key := word_key(h))]
    return bool(topic) and any(
        count_words(p) >= STUB_SENTENCE_WORDS and _COMPLETE.search(p)
        and not _PLACEHOLDER.search(p) and _terms(p) & topic
        and not any(_holds(p, h) for h in apart) for p in paragraphs)


def bare_page(page: str, body: str, visible: str, headings: Sequence[str]) -> bool:
    """The page shows its short body and nothing else: no template around it whose
    article slot could be empty or hold a notice, no code that could draw more.

    A short text in a full page (menus, footer, teasers) is refused: on the real web that
    is a stub, a notice or an article slot the page failed to fill. A page whose every
    visible word, its headings apart, is the body's (a hand-made page of one line, a
    plain-text note) is that text: refusing it would say the page is not what it shows.
    Not when the page runs scripts (an application draws its text: see
    :func:`~tearsheet.extract.scripted.refuse_shell`), sends the reader on (a refresh),
    holds a form or another document (a frame, an embed) or a site's template (a
    ``<nav>``, ``<header>``, ``<footer>``, ``<aside>``), nor when the text reads as a
    notice to the reader (an error, "coming soon", "subscribe", "nothing here")."""
    if not body.strip() or _ELSEWHERE.search(page) or _NOTICE.search(body) or \
            _ERROR.search(body) or _SOFT_404.search(body) or _PLACEHOLDER.search(body):
        return False
    # Letters, not words: the visible text runs elements' texts together ("TitleBody").
    rest = Counter(_letters(visible))
    rest.subtract(_letters(body))
    for heading in headings:
        rest.subtract(_letters(heading))
    return all(count <= 0 for count in rest.values())


def _letters(text: str) -> str:
    return "".join(_TERM.findall(text.casefold()))


def _holds(paragraph: str, heading: str) -> bool:
    """The paragraph holds the heading's words in a row, and more words."""
    text = word_key(paragraph)
    return text != heading and f" {heading} " in f" {text} "


def _terms(text: str) -> set[str]:
    """The words of ``text`` that can name a topic, by their first four letters ("rate"
    for "rates", "rais" for "raised"): words of four letters or more, the empty ones left
    out; a run of an unspaced script by its two-character pieces."""
    found: set[str] = set()
    for word in _TERM.findall(text.casefold()):
        if unspaced(word):
            found.update(word[i:i + 2] for i in range(len(word) - 1))
        elif len(word) >= 4 and word not in _EMPTY_WORDS and not word.isdigit():
            found.add(word[:4])
    return found


def _truncated(page: str, paragraphs: Sequence[str]) -> bool:
    """Cut off in transit: no end of document, the page stops in the middle of text or of
    a tag, and the body's last paragraph stops mid-sentence. (HTML may omit ``</body>``
    and ``</html>``; a whole page still ends with a tag.)"""
    tail = page[-4096:]
    if _END_OF_PAGE.search(tail) or tail.rstrip().endswith(">"):
        return False
    return not _SENTENCE_END.search(paragraphs[-1])


@lru_cache(maxsize=1)
def visible_text(page: str) -> str:
    """The text a reader sees of ``page``, spaces folded. The last page's is kept: a
    tiny body is judged by it here and then by the shell check (extraction.py), and a
    shell's page can be megabytes of script to parse once, not twice."""
    try:
        tree = lxml.html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(tree, "script", "style", "noscript", "template", with_tail=False)
    return " ".join("".join(str(t) for t in tree.itertext()).split())
