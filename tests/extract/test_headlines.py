"""The headline by agreement of the page's own sources; never a site or section header."""

from __future__ import annotations

from tearsheet.extract import extract

TEXT = "".join(f"<p>Paragraph {n}: the council voted on Tuesday to rebuild the old bridge, "
               f"and the work will start next spring after a year of hearings.</p>"
               for n in range(6))


def _page(head: str, h1s: str) -> str:
    return f"<html><head>{head}</head><body>{h1s}<article>{TEXT}</article></body></html>"


def _title(html: str, url: str = "https://x.example/a") -> str | None:
    return extract(html, url).title


def test_a_site_header_h1_loses_to_the_headline_the_title_gives() -> None:
    html = _page("<title>Council approves bridge rebuild | The Daily Example</title>",
                 "<h1>The Daily Example</h1>")
    assert _title(html) == "Council approves bridge rebuild"


def test_a_section_h1_loses_to_the_headline_two_sources_agree_on() -> None:
    html = _page('<title>Council approves bridge rebuild - Example</title>'
                 '<meta property="og:title" content="Council approves bridge rebuild">',
                 "<h1>Local news</h1><h2>Council approves bridge rebuild</h2>")
    assert _title(html) == "Council approves bridge rebuild"


def test_a_menu_heading_repeated_is_one_source_not_two_that_agree() -> None:
    # A template's menus (desktop and mobile) repeat their <h1>s before the story's.
    menus = "<h1>Sections</h1><h1>Sections</h1><h1>About</h1><h1>Subscribe</h1>"
    html = _page("<title>Council approves bridge rebuild</title>",
                 f"{menus}<h1>Council approves bridge rebuild</h1>")
    assert _title(html) == "Council approves bridge rebuild"


def test_an_inline_icon_s_title_is_not_the_page_s() -> None:
    html = _page("", "<button><svg><title>Arrow</title><path d='M0 0'/></svg></button>"
                 "<h1>Council approves bridge rebuild</h1>")
    assert _title(html) == "Council approves bridge rebuild"


def test_an_h1_that_spells_the_host_s_name_is_the_site_s_logo() -> None:
    """No og:site_name: the host's name is how the page names its site."""
    html = _page("<title>Daily Example » Bridge vote: what it means</title>",
                 '<h1><a href="/">Daily Example</a></h1>')
    assert _title(html, "https://www.dailyexample.com/a") == "Bridge vote: what it means"
    # On another host nothing says which part is the site's.
    assert _title(html, "https://other.example/a") == "Daily Example"


def test_a_title_that_spells_the_host_gives_way_to_the_h1() -> None:
    html = _page("<title>Anwalt Beispiel</title>", "<h1>Willkommen in der Kanzlei!</h1>")
    assert _title(html, "https://anwaltbeispiel.de/") == "Willkommen in der Kanzlei!"


def test_a_title_part_that_spells_the_host_is_cut_off() -> None:
    html = _page("<title>Bridge vote: what it means | example.org</title>", "")
    assert _title(html, "https://example.org/news/1") == "Bridge vote: what it means"


def test_a_home_page_named_only_after_its_host_keeps_that_name() -> None:
    # Every candidate spells the host: nothing else could be the headline.
    html = _page("<title>Daily Example</title>", "<h1>DailyExample</h1>")
    assert _title(html, "https://dailyexample.net/") in {"Daily Example", "DailyExample"}


def test_the_site_name_is_removed_from_og_title() -> None:
    html = _page('<meta property="og:site_name" content="Example News">'
                 '<meta property="og:title" content="Bridge vote: what it means - Example News">',
                 "")
    assert _title(html) == "Bridge vote: what it means"


def test_a_title_part_an_h1_gives_whole_is_the_headline_the_rest_the_site() -> None:
    """"Mozilla - Wikipedia" beside the <h1> "Mozilla": "Wikipedia" is the site's name."""
    html = _page("<title>Mozilla - Wikipedia</title>", "<h1>Mozilla</h1>")
    assert _title(html) == "Mozilla"


def test_a_run_of_parts_given_whole_keeps_its_own_separator() -> None:
    html = _page("<title>Dog scares burglar – witnesses sought – Example Press</title>",
                 "<h1>Dog scares burglar – witnesses sought</h1>")
    assert _title(html) == "Dog scares burglar – witnesses sought"


def test_a_site_name_before_the_headline_in_og_title_is_cut() -> None:
    html = _page('<title>Trust helps against stress at work - New Work</title>'
                 '<meta property="og:title" content="NWX Magazine | Trust helps against '
                 'stress at work">', "<h1>Trust helps against stress at work</h1>")
    assert _title(html) == "Trust helps against stress at work"


def test_the_site_name_h1_is_not_taken_for_the_headline_part() -> None:
    html = _page('<meta property="og:site_name" content="Mozilla">'
                 '<meta property="og:title" content="Firefox — Make it your own">'
                 "<title>Firefox — Make it your own — Mozilla</title>", "<h1>Mozilla</h1>")
    assert _title(html) == "Firefox — Make it your own"


def test_when_nothing_agrees_the_title_wins_over_a_lone_h1() -> None:
    """A section's <h1> ("Information and Resources") backed by no other source."""
    html = _page("<title>Superbugs: what they are and how you get them</title>",
                 "<h1>Information and Resources</h1>")
    assert _title(html) == \
        "Superbugs: what they are and how you get them"


def test_when_they_agree_the_h1_text_is_kept() -> None:
    html = _page("<title>Bridge vote: what it means | Example</title>",
                 "<h1>Bridge vote: what it means for you</h1>")
    assert _title(html) == "Bridge vote: what it means for you"


def test_escaped_entities_in_metadata_are_read() -> None:
    html = _page('<meta property="og:title" content="Editor&amp;#8217;s letter &amp;#8211; '
                 'goodbye">', "")
    assert _title(html) == "Editor’s letter – goodbye"


def test_parsely_and_dublin_core_titles_and_several_properties_in_one_attribute() -> None:
    html = _page('<meta name="parsely-title" content="Bridge vote in the council">', "")
    assert _title(html) == "Bridge vote in the council"
    html = _page('<meta property="x:title dc:title" content="Bridge vote in the council">'
                 "<title>Title element</title>", "")
    assert _title(html) == "Bridge vote in the council"


def test_a_title_repeating_the_headline_keeps_the_headline_whole() -> None:
    html = _page('<meta property="og:title" content="Minecraft 1.8 - The Bountiful Update">'
                 "<title>Minecraft 1.8 - The Bountiful Update - Minecraft 1.8 - The Bountiful "
                 "Update - Minecraft News</title>", "<h1>Game news</h1>")
    assert _title(html) == "Minecraft 1.8 - The Bountiful Update"


def test_chinese_and_japanese_separators_written_without_spaces() -> None:
    """"标题_科技_腾讯网", "見出し｜サイト", "标题！-新华网": the site's name goes; a
    snake_case word or a hyphen in a Latin headline is not cut."""
    html = _page("<title>人工智能迈上新台阶_科技_腾讯网</title>", "<h1>人工智能迈上新台阶</h1>")
    assert _title(html) == "人工智能迈上新台阶"
    html = _page("<title>新しいアプリを発表｜テックニュース</title>"
                 '<meta property="og:site_name" content="テックニュース">', "")
    assert _title(html) == "新しいアプリを発表"
    html = _page("<title>Why snake_case won the style war</title>", "")
    assert _title(html) == "Why snake_case won the style war"
    html = _page("<title>有英勇的你，才有英雄的城！-新华网</title>"
                 '<meta property="og:site_name" content="新华网">', "")  # a hyphen too
    assert _title(html) == "有英勇的你，才有英雄的城！"
    html = _page("<title>Covid-19 rules end-of-year - The Example</title>", "")
    assert _title(html) == "Covid-19 rules end-of-year"


def test_a_kicker_or_tail_after_a_colon_is_cut_when_the_h1_gives_the_rest_whole() -> None:
    """"Chronik: Headline" and "Headline: The explainer" beside the <h1> "Headline": the
    colon written after a word sets off a kicker or a tail, as a spaced bar does."""
    for title in ("Chronik: Bridge vote delayed again", "Bridge vote delayed again: Die Erklärung"):
        html = _page(f'<meta property="og:title" content="{title}">',
                     "<h1>Bridge vote delayed again</h1>")
        assert _title(html) == "Bridge vote delayed again", title


def test_a_colon_in_a_headline_nothing_backs_stays() -> None:
    """Without a source giving a part whole, "Minister: We will act" is one headline."""
    html = _page("<title>Minister Raab: We will act on childcare | Example</title>", "")
    assert _title(html) == "Minister Raab: We will act on childcare"


def test_a_single_guillemet_separates_the_site_name() -> None:
    html = _page('<meta property="og:title" content="Running in winter, month by month '
                 '› Nordic Example">', "<h1>Running in winter, month by month</h1>")
    assert _title(html) == "Running in winter, month by month"


def test_the_h1_a_declared_title_pads_is_the_headline_readers_see() -> None:
    """"Headline Rezept | Site", "Kicker Headline": the <h1> they open, close or hold as a
    part is the headline; a three-word <h1> inside a word, or a short section name, not."""
    for title in ("Cherry crumble with oat topping Recipe | Example Kitchen",
                  "Autumn baking: Cherry crumble with oat topping"):
        html = _page(f'<meta property="og:title" content="{title}">',
                     "<h1>Cherry crumble with oat topping</h1>")
        assert _title(html) == "Cherry crumble with oat topping"
    for h1 in ("Council approves bridge", "Local news"):
        html = _page('<meta property="og:title" content="Council approves bridges rebuild">',
                     f"<h1>{h1}</h1>")
        assert _title(html) == "Council approves bridges rebuild"


def test_a_kicker_the_h1_holds_in_its_own_element_is_no_part_of_the_headline() -> None:
    """<h1><span class="dachzeile">Kicker</span><span class="headline">Headline</span>:
    the headline is the h1 less its kicker (so "Headline - Kicker" in og:title is cut)."""
    html = _page('<meta property="og:title" content="Bridge vote delayed again - '
                 'Trouble at the council">',
                 '<h1><span class="article-kicker">Trouble at the council</span> '
                 '<span class="headline">Bridge vote delayed again</span></h1>')
    assert _title(html) == "Bridge vote delayed again"
    html = _page("", '<h1><span class="kickers">Not a kicker class</span> Bridge vote</h1>')
    assert _title(html) == "Not a kicker class Bridge vote"


def test_an_h1_microdata_declares_the_headline_wins_over_the_metas() -> None:
    """<h1 itemprop="headline">: the page declares the headline readers see."""
    html = _page('<meta property="og:title" content="Bridge vote: delay again">',
                 '<h1 itemprop="headline">The bridge vote is delayed again</h1>')
    assert _title(html) == "The bridge vote is delayed again"
    html = _page('<meta property="og:title" content="Bridge vote: delay again">',
                 '<h1>The bridge vote is delayed again</h1>')
    assert _title(html) == "Bridge vote: delay again"


def test_a_slug_is_no_headline() -> None:
    # The publishing system's name for the page, given as og:title: the <title> and the
    # <h1> name the story.
    html = _page('<title>Child seat test 2018 | Example</title>'
                 '<meta property="og:title" content="example-child-seat-test-autumn-2018">',
                 "<h1>Eighteen child seats tested: four fail</h1>")
    assert _title(html) == "Child seat test 2018"
    # Hyphens inside a headline's words, or a headline in a script without case, stay.
    assert _title(_page('<meta property="og:title" content="State-of-the-art bridge opens">',
                        "")) == "State-of-the-art bridge opens"
    cjk = "标题_科技_新闻"
    assert _title(_page(f'<meta property="og:title" content="{cjk}">', "")) == cjk


def test_separators_in_a_row_are_one() -> None:
    """"Site // » Headline": the site's name and both separators go, not the first alone."""
    html = _page("<title>dailyexample.com //   &raquo; Bridge vote tonight</title>",
                 "<h2>Bridge vote tonight</h2>")
    assert _title(html, "https://dailyexample.com/bridge") == "Bridge vote tonight"
    html = _page('<meta property="og:site_name" content="Example News">'
                 '<meta property="og:title" content="Bridge vote tonight | - Example News">', "")
    assert _title(html) == "Bridge vote tonight"


def test_a_host_names_letters_are_every_letter_and_digit_of_unicode() -> None:
    """The site's name is compared by its letters and digits (``_letters``, one regular
    expression): the same characters as ``str.isalnum`` keeps, over every code point."""
    from tearsheet.extract.headline import _letters
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert _letters(every) == "".join(c for c in every.casefold() if c.isalnum())
    assert _letters("Zoll.de — Start_Seite 2") == "zolldestartseite2"
