"""Text of the article that the body used to lose: one test per kind of markup."""

from __future__ import annotations

import unicodedata

import lxml.html

from tearsheet.diff.fingerprint import fingerprint
from tearsheet.extract import extract
from tearsheet.extract.body import body_blocks
from tests.support.pages import LOREM

URL = "https://example.org/2024/05/a-story"


def _page(body: str, head: str = "") -> str:
    return (f"<html><head><title>A story</title>{head}</head><body><nav><a href='/'>Home</a>"
            f"<a href='/news'>News</a></nav><article><h1>A story</h1>{body}</article>"
            "<footer><p>Copyright the publisher.</p></footer></body></html>")


def test_bare_text_between_blocks_is_a_paragraph() -> None:
    # A deals post: each item's blurb sits loose in the container after the item's <div>.
    blurb = ("Save $31 if you get the turquoise console with your choice of game and a "
             "case; this is the lowest price we have seen so far this year.")
    page = _page(f"<p>{LOREM[0]}</p><div>Console bundle for $238.99</div>{blurb}"
                 f"<p>{LOREM[1]}</p><p>{LOREM[2]}</p>")
    assert extract(page, URL).paragraphs == [LOREM[0], "Console bundle for $238.99", blurb,
                                             *LOREM[1:3]]


def test_bare_text_above_the_first_paragraph_is_not() -> None:
    # A date and category line under the headline, loose in the container.
    line = "January 13, 2020 at 08:45 AM | categories: Python, Mercurial | View Comments"
    page = _page(f"<small>{line}</small>" + "".join(f"<p>{p}</p>" for p in LOREM))
    assert extract(page, URL).paragraphs == LOREM


def _loose_page(sections: list[tuple[str, str]]) -> str:
    # No container names the body: headings and paragraphs sit in <body> itself.
    parts = "".join(f"<h2>{head}</h2><p>{text}</p>" for head, text in sections)
    return (f"<html><head><title>Notes</title></head><body><h1>Notes on buses</h1>"
            f"<p>{LOREM[0]}</p>{parts}</body></html>")


def test_section_headings_of_a_page_without_a_container_are_kept() -> None:
    sections = [("Funding", LOREM[1]), ("Opposition", LOREM[2]), ("What comes next", LOREM[3])]
    assert extract(_loose_page(sections), URL).paragraphs == [
        LOREM[0], "Funding", LOREM[1], "Opposition", LOREM[2], "What comes next", LOREM[3]]


def test_headings_and_lists_between_loose_paragraphs_are_kept_where_they_stand() -> None:
    # No container: trafilatura reads the page's paragraphs wherever they are, and only
    # paragraphs. What stands between two it kept (a rule or a picture aside) is the
    # text's own: its section headings and lists; a list item's picture caption is not.
    img = "<img src='/photo.jpg' alt='A photo'>"
    page = ("<html><head><title>A story</title></head><body><h1>A story</h1>"
            f"<p>{LOREM[0]}</p><hr><h2>The vote</h2><p>{img}</p><p>{LOREM[1]}</p><hr>"
            f"<h2>The cost</h2><figure>{img}<figcaption>The new buses.</figcaption></figure>"
            f"<p>{LOREM[2]}</p><h3>What the plan holds</h3><ul><li>Two hundred drivers</li>"
            f"<li>New routes</li><li><figure>{img}<figcaption>A route map.</figcaption>"
            f"</figure></li></ul><p>{LOREM[3]}</p><div><h3>Share</h3></div>"
            "<footer><p>Copyright the publisher.</p></footer></body></html>")
    found = extract(page, URL)
    assert found.body_from == "loose"
    assert found.paragraphs == [
        LOREM[0], "The vote", LOREM[1], "The cost", LOREM[2], "What the plan holds",
        "Two hundred drivers", "New routes", LOREM[3]]


MATHML = "http://www.w3.org/1998/Math/MathML"


def test_headings_between_formulas_are_kept_with_the_formulas() -> None:
    def formula(name: str) -> str:
        return (f"<mjx-container display='true'><mjx-assistive-mml><math xmlns='{MATHML}' "
                f"display='block'><mi>{name}</mi><mo>=</mo><mi>m</mi><msup><mi>c</mi><mn>2"
                "</mn></msup></math></mjx-assistive-mml></mjx-container>")
    page = (f"<html><head><title>Formulas</title></head><body><h1>Formulas</h1>"
            f"<p>{LOREM[0]}</p><h2>Energy</h2>{formula('E')}<h2>Work</h2>{formula('W')}"
            f"<p>{LOREM[1]}</p></body></html>")
    assert extract(page, URL).paragraphs == [LOREM[0], "Energy", "E = m c 2", "Work",
                                             "W = m c 2", LOREM[1]]


def test_a_long_loose_run_cut_short_by_a_widget_is_a_paragraph_too() -> None:
    run = ("Readers who want the full list of the new routes and their timetables can find "
           "it in the interactive map below")
    page = _page(f"<p>{LOREM[0]}</p><div><iframe src='/map'></iframe></div>{run}"
                 f"<div><iframe src='/map2'></iframe></div><p>{LOREM[1]}</p>")
    assert extract(page, URL).paragraphs == [LOREM[0], run, LOREM[1]]


def test_a_sister_section_cut_by_line_breaks_is_read_once() -> None:
    # The body in sibling containers of one class; in one of them each paragraph is a
    # bold label, a <br> and a sentence: trafilatura keeps the two lines, and the sister
    # section rule used to add the paragraph again, whole.
    features = [("Task scheduling", "Clients can schedule tasks to execute at a specified "
                 "time, for immediate execution or delayed to fit the use case."),
                ("Priority based execution", "Tasks with a higher priority are executed "
                 "before tasks with a lower priority once they are ready for execution."),
                ("Task gating", "Tasks can be gated to be dropped or paused until a "
                 "suitable time, for a whole lambda or a collection of its tasks."),
                ("Track task status", "Clients can query the status of a scheduled task "
                 "at any time, from the moment it is scheduled until it has run.")]
    cut = "".join(f"<p><b>{label}</b><br>{text}</p>" for label, text in features)
    page = _page("<div class='grid'><div class='text parbase'>"
                 + "".join(f"<p>{p}</p>" for p in LOREM[:3])
                 + "</div><div class='section'><h2>Features</h2></div>"
                 f"<div class='text parbase'>{cut}</div></div>")
    paragraphs = extract(page, URL).paragraphs
    assert paragraphs == [*LOREM[:3], "Features",
                          *[line for pair in features for line in pair]]


def test_a_paragraph_whose_random_id_holds_a_furniture_word_is_kept() -> None:
    # CMSs give each paragraph a random anchor id; trafilatura drops an element whose id
    # holds "Nav", "menu", "share"… as a menu's or a share bar's.
    ids = ["JWA6Pb", "NavzzU", "x1menu", "Share9", "2iTOd5"]
    page = _page("".join(f"<p id='{i}'>{p}</p>" for i, p in zip(ids, [*LOREM, LOREM[0]])))
    assert extract(page, URL).paragraphs == [*LOREM, LOREM[0]]


# An interview in a CMS's modules: each text module holds its paragraphs two wrappers deep,
# image modules between them. trafilatura reads the first text module only.
INTERVIEW = [
    "Es gibt Ereignisse, die eine Biografie für immer in zwei Teile zerschneiden, in ein "
    "Davor und ein Danach, und über diese Tage spricht sie heute ganz offen.",
    "Zwanzig Jahre später sitzt die Schauspielerin auf der Couch ihres Hauses und erzählt "
    "von den Monaten im Krankenhaus, von ihren Söhnen und von der Rückkehr.",
    "Was war Ihr erster Gedanke, als Sie nach der Operation erwachten und die Ärzte an "
    "Ihrem Bett standen, um Ihnen zu sagen, was geschehen war?",
    "Dass es nicht nur um mich geht. Mein Sohn war erst achtzehn Monate alt, und ich war "
    "doppelt dankbar, dass mir die Ärzte ein zweites Leben geschenkt hatten.",
    "In welchem seelischen Zustand waren Sie, als Sie das Krankenhaus nach all den Wochen "
    "verließen und zum ersten Mal wieder nach Hause fuhren?",
    "In manchen Momenten hatte ich das unheimliche Gefühl, dass ich gar nicht mehr in "
    "meinem Körper war, und es dauerte Jahre, bis diese Angst verschwand.",
]


def _modules(paragraphs: list[str]) -> str:
    def text(part: list[str]) -> str:
        return ("<div class='editorial-module editorial-module--text'><div class='text'>"
                "<div class='text-text'>" + "".join(f"<p>{p}</p>" for p in part)
                + "</div></div></div>")
    image = ("<div class='editorial-module editorial-module--image'><figure>"
             "<img src='/portrait.jpg' alt=''></figure></div>")
    return (f"<html><head><title>Ein Interview</title></head><body><nav><a href='/'>Start"
            f"</a></nav><main><h1>Ein Interview</h1>{text(paragraphs[:2])}{image}"
            f"{text(paragraphs[2:4])}{image}{text(paragraphs[4:])}</main><footer><p>Impressum"
            "</p></footer></body></html>")


def test_sister_sections_two_wrappers_deep_are_all_kept() -> None:
    # Each module's paragraphs sit in div.text-text in div.text in the module: sisters
    # share an ancestor three levels up, their wrappers alike (tag and class).
    assert extract(_modules(INTERVIEW), URL).paragraphs == INTERVIEW


def test_a_page_written_decomposed_reads_as_one_written_composed() -> None:
    # "ä" as "a" and a combining diaeresis: trafilatura composes its blocks, and the
    # rules that match them with the page's own text (sister sections here) saw no match.
    decomposed = _modules([unicodedata.normalize("NFD", p) for p in INTERVIEW])
    assert decomposed != _modules(INTERVIEW)
    assert extract(decomposed, URL).paragraphs == INTERVIEW


def _menu_page(menu: list[str], run: str = "") -> str:
    """A story whose own heading shares its text with an item of the site's menu."""
    items = "".join(f"<li><a href='/{n}'>{m}</a></li>" for n, m in enumerate(menu))
    return (f"<html><head><title>A story</title></head><body><header><nav><ul>{items}"
            f"</ul></nav></header><article><h1>A story</h1>{run}<p>{LOREM[0]}</p>"
            f"<p><strong>Features</strong></p><ul><li>{LOREM[1]}</li><li>{LOREM[2]}</li>"
            f"</ul><p>{LOREM[3]}</p><p><a href='/next'>Read more: the next story</a></p>"
            "</article></body></html>")


def test_a_heading_sharing_a_menu_link_s_text_is_the_article_s_own() -> None:
    # A menu's link is never a line of the body (trafilatura deletes <nav>): the article's
    # "Features" heading is kept, and stays whether the menu lists "Features" or not, so
    # a menu's edit is no new version. A line of the body made of its own link still goes.
    with_item = extract(_menu_page(["Blog", "Features", "About"]), URL)
    without = extract(_menu_page(["Blog", "About"]), URL)
    assert with_item.paragraphs == [LOREM[0], "Features", *LOREM[1:]]
    assert fingerprint(with_item) == fingerprint(without)


def test_a_menu_written_again_outside_nav_is_still_a_run_of_links() -> None:
    # The same menu flattened into one block outside <nav> (a mobile menu in a <div>, read
    # with the story): its words are the navigation's links, one after another (the
    # share of its text in links, by which the edge rules drop it), unlike the heading.
    menu = [f"Section {name}" for name in (
        "Politics", "Business", "Culture", "Sport", "Science", "Travel", "Opinion", "Video",
        "Podcasts", "Weather", "Puzzles", "Archive", "Newsletters", "Events", "Shop",
        "Books", "Music", "Film", "Health", "Money", "Jobs", "Homes", "Cars", "Food",
        "Style")]
    run = f"<div class='mobile'><p>{' '.join(menu)}</p></div>"
    blocks = body_blocks(lxml.html.document_fromstring(_menu_page(menu, run))).blocks
    shares = {b.text.split()[0]: b.link_share for b in blocks}
    assert shares["Section"] >= 0.9 and shares["Features"] == 0
