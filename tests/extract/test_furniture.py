"""Page furniture in the languages news is written in: recirculation labels, comment and
share widgets, date lines, picture credits, affiliate disclosures."""

from __future__ import annotations

import pytest

from tearsheet.extract.blocks import Block
from tearsheet.extract.body import tidy
from tearsheet.extract.furniture import is_furniture
from tearsheet.extract.script import count_words
from tests.support.pages import LOREM

BODY = [Block("p", p) for p in LOREM]

FURNITURE = [
    # recirculation labels, alone, with a section's name, or with a headline after a colon
    "Lesen Sie auch:", "Mehr zum Thema auf Example.de", "Weitere Themen",
    "Weitere aktuelle Themen aus der Arbeitswelt", "Top-Themen bei Example",
    "Das könnte Sie auch interessieren", "Entdecke weitere Homestorys",
    "Vorschau auf den nächsten Artikel", "Zum Weiterlesen:",
    "Weitere Informationen zum Coronavirus in Thüringen:",
    "Le puede interesar: JEP abrirá tres nuevos macrocasos", "Lea también: Otra noticia",
    "MIRA: Madre se acerca a conocer los motivos de su detención",
    "Lire aussi : Les critiques de la commission", "Leia também", "Leggi anche",
    "Czytaj także: Inny artykuł", "Lees ook",
    # comment sections, share bars
    "Keine Kommentare (Kommentare erscheinen erst nach unserer Freigabe)", "12 Kommentare",
    "Sie sind aktuell nicht eingeloggt.", "Du musst eingeloggt sein, um zu kommentieren.",
    "Hinterlassen Sie einen Kommentar", "Dejá tu comentario", "Diesen Artikel teilen:",
    "Teilen mit:", "Wird geladen…", "Gefällt mir", "Compartir",
    "Subscribe now to our print edition for the full story.",
    # calls to click, comment, follow the site's channel or get its app; licences, telephones
    "Alles über nachhaltige Wanderschuhe findest Du hier.", "Hier geht es zur Übersicht",
    "Verraten Sie gerne in den Kommentaren: Was bedeutet der Preis für Sie?",
    "Let us know what you think in the comments!",
    "¡Mira lo que tiene nuestro canal de YouTube!",
    "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular.",
    "For the latest stories download the Example News apps for iOS and Android.",
    "Sofern nicht anders ausgewiesen, stehen Inhalte dieser Website unter CC-BY",
    "Telefon: +49 (40) 300 30 - 1141",
    # a caption told by the credit that ends it; a row's label of tags
    "Cristina Kirchner y Alberto Fernández en el Congreso (Foto: Ana Ruiz/Pool via Reuters).",
    "Logo des Sustainable Award in Finance von Bankmagazin | © Springer",
    "The harbour on Monday | photo by Ana Ruiz", "The mayor on Monday. Photo: AP",
    "Temas", "Schlagwörter",
    # a file to download, a sign-up button's words
    "Informationsschreiben vom 14. Oktober 2021PDF | 38 KB | Datei ist nicht barrierefrei",
    "Jahresbericht 2021 (PDF, 1,2 MB)",
    "Get the Example Daily Edition by email and never miss our top stories Free Sign Up",
    # date lines, credits, disclosures
    "Aktualisiert am 17.01.2021.", "Letzte Änderung 14.02.2019", "Publié le 3 mai 2022",
    "Last modified: 03-10-2004 2:20pm", "posted on April 21, 2015, at 11:29 a.m.",
    "Updated: April 21, 2015 at 11:29 a.m. ET", "Published Tuesday, April 21, 2015",
    "Aktualisiert am Montag, 3. Mai 2021", "Publié le mardi 12 mai 2024", "Foto: Ana Ruiz",
    "(Credit: Ana Ruiz / Example)",
    "Crédits photos : Example", "Copyright: Ana Ruiz", "Quelle: Deutscher Jagdverband (DJV)",
    "*Werbung. Dieser Beitrag enthält Werbung für eine Marke.",
    "Letzte Aktualisierung am 2.02.2022 / Bei den Verlinkungen handelt es sich um "
    "Affiliate Links / Bilder von der Amazon Product Advertising API",
    "We recommend the best products through an independent review process, and "
    "advertisers do not influence our picks. We may receive compensation if you visit "
    "partners we recommend. Read our advertiser disclosure for more info.",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_lines_in_many_languages_are_not_the_article(line: str) -> None:
    assert is_furniture(line, count_words(line))
    assert tidy([*BODY[:2], Block("p", line), *BODY[2:]]) == LOREM
    assert tidy([*BODY, Block("p", line)]) == LOREM


@pytest.mark.parametrize(
    "line",
    ["Weitere Themen der Konferenz waren die Energiepreise und der Ausbau der Netze.",
     "Mehr Themen als je zuvor standen auf der Tagesordnung, sagte die Ministerin.",
     "Aktualisiert wurde die Liste zuletzt im Januar, nach dem Urteil vom 12. Dezember.",
     "Updated daily with 100 stories",  # no date follows the label
     "Published in Nature in 2019, the study found a link.",
     "Die Kommentare der Leser waren überwiegend positiv, berichtete die Zeitung.",
     "Foto und Film spielen in ihrer Arbeit seit 1998 eine große Rolle, sagt sie heute.",
     "Quelle des Streits war ein Vertrag aus dem Jahr 2004, den beide Seiten "
     "unterschiedlich auslegten, wie das Gericht nun festgestellt hat.",
     "Werbung im Internet wird nach Ansicht der Verbraucherschützer immer aggressiver.",
     "Compartir la información con los vecinos fue la prioridad del alcalde, dijo.",
     "Die App lässt sich seit Montag auch auf älteren Telefonen installieren, sagt der Hersteller.",
     "Der Kanal wurde 1905 eröffnet und verbindet die beiden Seen.",
     "Er ging. Bild und Ton fielen kurz darauf aus, sagte die Technikerin.",
     "The report runs to 40 pages; a PDF copy was sent to every member on Monday.",
     "She left the room. Image matters, her adviser said later that evening.",
     "Le puede interesar a quien siga el caso que la fiscalía apelará la decisión de hoy "
     "ante el tribunal superior, según fuentes del ministerio público consultadas por "
     "este diario, que pidieron no ser identificadas porque no están autorizadas."],
)
def test_sentences_that_begin_like_furniture_stay(line: str) -> None:
    assert tidy([*BODY, Block("p", line)]) == [*LOREM, line]


def test_a_name_that_reads_like_a_label_is_not_one() -> None:
    line = "Mira Sorvino starred in the film."
    assert not is_furniture(line, count_words(line))


CONTACTS = [Block("head", "Pressekontakt:"), Block("p", "Ana Ruiz"),
            Block("p", "Telefon: 030 1234 5678"),
            Block("p", "Online-Pressemappe - alle Pressemitteilungen der Example AG")]


def test_a_press_release_s_contact_section_ends_the_article() -> None:
    assert tidy([*BODY, *CONTACTS]) == LOREM
    media = [Block("p", "Media enquiries"), Block("p", "Ana Ruiz, head of communications")]
    assert tidy([*BODY, *media]) == LOREM


def test_a_contact_heading_early_in_the_body_is_a_section_of_it() -> None:
    # In the body's first two thirds, "Kontakt" heads a section of the article itself.
    section = [Block("head", "Kontakt"), *BODY[:1]]
    assert tidy([*BODY[:1], *section, *BODY[1:]]) == [LOREM[0], "Kontakt", *LOREM]
