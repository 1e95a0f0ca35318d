"""Page furniture: the short lines every site sets in and around its articles.

Calls to subscribe, share, comment or follow; ad labels; comment counts; recirculation
labels ("Read more:", "Lesen Sie auch", "Le puede interesar"); date lines ("Updated
14.02.2019"); picture credits ("Foto: …"); affiliate disclosures. None is the article, and
all change from one request or redesign to the next. A line is judged by what it says,
in the languages news is written in, never by the site it comes from; only short blocks
are tested (a sentence that mentions a comment or a photo is still the article's).
"""

from __future__ import annotations

import re

__all__ = ["CONTACT_WORDS", "MAX_WORDS", "is_contact_heading", "is_furniture"]

MAX_WORDS = 30
"""Longer blocks are the article's, whatever they say."""
CONTACT_WORDS = 8
"""A contact section's heading is short: "Pressekontakt", "Media contact"."""
_DATE_WORDS = 10
_CREDIT_WORDS = 12
_DISCLOSURE_WORDS = 45

_ENGLISH = r"""
    advertisement|advertising|anzeige|publicité|sponsored(?:\ content)?|
    (?:\d+\ )?comments?|(?:view|show|read|see)\ (?:all\ )?\d*\ ?comments?|
    (?:share|tweet|email|print)(?:\ this)?(?:\ (?:story|article|page))?|
    (?:related|recommended|trending|popular|most\ (?:read|popular|viewed|shared))
        (?:\ (?:stories|articles|content|news|posts|videos|links|reading|now))?|
    (?:you\ (?:may|might)\ also\ like|more\ from|more\ stories|read\ (?:more|next|also)
        |also\ read|see\ also|watch|listen|don'?t\ miss|recommended\ for\ you)
        (?:\ [\w.'’-]+){0,3}(?:\s*[:|>»].*)?|
    also\ on\ \S+\.[a-z]{2,}\b.*|
    (?:updated|published|posted|last\ updated)\ (?:\d+|an?|one)\ (?:seconds?|minutes?|
        hours?|days?|mins?|hrs?)\ ago|
    (?:sign\ up|subscribe|register|join)\b.*\b(?:our|the|free)\b.*\b(?:newsletters?|
        e-?mails?)\b.*|
    thanks?\ (?:you\ )?for\ (?:signing\ up|subscribing)!?.*|
    there\ was\ an\ error\ processing\ your\ subscription.*|
    (?:like|enjoy(?:ed)?)\ this\ (?:story|article)\??.*share.*|
    follow\ us\b.*|
    tell\ us\ what\ you\ think.*|have\ (?:a|your)\ say.*|
    (?:have\ a\ (?:news\ )?tip|got\ a\ (?:news\ )?tip)\b.*|
    follow\b.{0,80}\bon\ (?:facebook|twitter|x|instagram|linkedin|tiktok|youtube|threads
        |bluesky|mastodon|telegram|whatsapp)\b.*|
    (?:©|\(c\)\ *(?:19|20)\d\d\b).*|copyright\b[^.]{0,80}\b(?:19|20)\d\d\b[^.]*
"""

# Recirculation labels in other languages, with up to five words after them (a section's
# name: "Mehr zum Thema auf Example.de") or a colon and a headline ("Lea también: …").
_RECIRCULATION = r"""
    (?:
        # German
        lesen\ sie\ (?:auch|mehr|hier|weiter)|lies\ auch|(?:jetzt\ |zum\ )?weiterlesen|
        weiter\ zu[mr]?|
        mehr\ (?:zum|zu\ diesem|zu\ dem)\ thema|mehr\ themen|top[-\ ]?themen|
        (?:weitere|mehr)\ (?:aktuelle\ )?\w*(?:themen|artikel|beiträge|nachrichten|news
            |meldungen|informationen|infos|links|videos|tipps|storys|stories|geschichten)|
        das\ könnte\ (?:sie|dich|euch)\ (?:auch\ )?interessieren|(?:auch|ebenfalls)\ interessant|
        passend\ zum\ thema|(?:ähnliche|verwandte)\ (?:artikel|beiträge|themen|posts)|
        entdecke(?:n\ sie)?\ (?:weitere|mehr)|(?:nächster|vorheriger)\ (?:artikel|beitrag)|
        vorschau\ auf\ den\ nächsten\ (?:artikel|beitrag)|meist\ ?gelesen(?:e|en)?|
        (?:neueste|beliebteste|aktuelle)\ (?:artikel|beiträge|news|nachrichten)|
        # Spanish, Portuguese
        (?:también\ )?(?:te|le)\ puede\ interesar|lea\ (?:también|más|además)|
        lee\ (?:también|más)|leer\ más|mir[aá]\ también|ver\ (?:también|más)|
        noticias\ relacionadas|artículos\ relacionados|te\ recomendamos|otras\ noticias|
        lo\ más\ (?:leído|visto)|leia\ (?:também|mais)|veja\ (?:também|mais)|saiba\ mais|
        notícias\ relacionadas|
        # French, Italian
        (?:à\ )?lire\ (?:aussi|également|la\ suite)|(?:à\ )?voir\ aussi|en\ savoir\ plus|
        sur\ le\ même\ (?:sujet|thème)|les\ plus\ lus|à\ découvrir(?:\ aussi)?|
        leggi\ (?:anche|di\ più)|vedi\ anche|potrebbe\ interessarti|articoli\ correlati|
        # Polish, Dutch
        (?:czytaj|przeczytaj|zobacz)\ (?:też|także|również|więcej)|lees\ (?:ook|meer)|zie\ ook
    )(?:\ [\w.'’-]+){0,5}(?:\s*[:|>»].*)?
"""

# Comment sections and share bars, in other languages.
_WIDGETS = r"""
    (?:keine|no|sin|aucun|nessun)\ (?:kommentare|comments|comentarios|commentaires?
        |commenti)\b.*|
    (?:\d+\ )?(?:kommentare?|comentarios?|commentaires?|commenti|komentarze?|reacties)
        (?:\ zu\b.*)?|
    (?:\d+\ )?antworten\ zu\b.*|
    (?:tags|topics|themen|temas|thèmes|sujets|argomenti|schlagwörter|schlagworte|etiquetas
        |stichwörter|mots-clés|tematy)|
    (?:einen\ )?kommentar\ (?:schreiben|verfassen|hinzufügen|abgeben)|
    (?:schreibe|hinterlasse|hinterlassen\ sie)\ (?:einen|eine)\ (?:kommentar|antwort)\b.*|
    leave\ a\ (?:comment|reply)\b.*|be\ the\ first\ to\ comment\b.*|
    (?:comments\ are|kommentare\ sind)\ (?:closed|geschlossen)\b.*|
    (?:deja|dejá|escribe)\ (?:un|tu)\ comentario\b.*|comentar\ este\ artículo|
    laisser\ un\ commentaire\b.*|
    (?:du\ musst|sie\ müssen|you\ must)\ (?:be\ )?(?:eingeloggt|angemeldet|logged\ in
        |registriert|registered)\b.*|
    sie\ sind\ (?:aktuell\ |derzeit\ )?nicht\ (?:eingeloggt|angemeldet)\b.*|
    (?:diesen\ |den\ )?(?:artikel|beitrag|seite|news)\ (?:teilen|drucken|versenden)\b.*|
    (?:jetzt\ )?teilen(?:\ sie)?(?:\ dies(?:en\ beitrag)?|\ diese\ seite)?(?:\ mit)?|
    compartir(?:\ (?:nota|en\b.*))?|partager(?:\ (?:cet\ article|sur\b.*))?|condividi|
    compartilh[ae]|udostępnij|gefällt\ mir|wird\ geladen|loading|like\ this|
    gefällt\ ihnen\ (?:dieser\ artikel|was\ sie\ sehen)\b.*|drucken|imprimir|imprimer
"""

# "Aktualisiert am 17.01.2021", "Letzte Änderung 14.02.2019", "Publié le 3 mai 2022":
# a label and a date, nothing else (the date line of the page, not of the article's story).
_DATE_LINE = re.compile(
    r"""^(?:zuletzt\ |last\ )?(?:updated|modified|changed|published|posted|erstellt
        |aktualisiert|geändert|veröffentlicht|veröffentlichung|letzte\ (?:änderung
        |aktualisierung)|stand|publié|mis\ à\ jour|modifié|actualizado|publicado
        |actualización|aggiornato|pubblicato|opublikowano|zaktualizowano|bijgewerkt
        |gepubliceerd)(?:\ (?:am|on|le|el|il|at|um|op|vom|den))?\s*:?\s*
        (?:(?:"""  # a weekday, a month before the digits: "Tuesday, April 21"
    r"""jan|feb|fév|m[aä]r|apr|avr|abr|ma[iyg]|jun|jui|giu|jul|lug|aug|aoû|ago|sep|set|o[ck]t
        |ott|nov|d[eé][cz]|dic|ene|gen|mon|tue|wed|thu|fri|sat|sun|dienstag|mittwoch
        |donnerstag|freitag|samstag|sonntag|lun|mer|jeu|ven|sam|dim|mié|jue|vie|sáb|dom)
        [^\W\d_]*\.?,?\s+){0,2}\S*\d.*$""",
    re.VERBOSE)

# "Foto: Ana Ruiz", "(Credit: Clayton Aldern / Grist)", "Crédits photos : Bestimage".
_CREDIT = re.compile(
    r"""^\(?(?:fotos?|photos?|bilder?|bildquelle|titelbild|beitragsbild|images?|pictures?
        |credits?|crédits?(?:\ photos?)?|copyright|fotografía|imagen|quelle|fuente|fonte)
        \ ?:\ ?\S.*$""",
    re.VERBOSE)

# A picture's caption, told by the credit that ends it: "… in the Congress (Foto: Ana
# Ruiz/Reuters).", "Logo of the award | © Example", "… on Monday. Photo: AP".
_CAPTION = re.compile(
    r"""(?:
        (?:[(|/–—]\s*|\s-\s|[.!?]\s+)(?:©\s*|(?:fotos?|fotografía|photos?|bild(?:er)?
            |credits?|crédits?|imagen|image|picture)\s*:\s*)
        |(?:[(|/–—]\s*|\s-\s)(?:fotos?|photos?)\ (?:by|von|de|por)\ )
        \S[^.!?:]{1,80}\)?\.?$""",
    re.VERBOSE)

# Affiliate and advertising disclosures.
_DISCLOSURE = re.compile(
    r"""\b(?:affiliate[-\ ]?links?|werbelinks?|partnerlinks?|provisions-?links?)\b|
        \bwe\ may\ (?:receive|earn)\ (?:a\ )?(?:small\ )?(?:commission|compensation)\b|
        \badvertis(?:er|ing)\ disclosure\b|
        ^[*(\[]?(?:werbung|anzeige|advertorial|gesponsert|publicidad)[*)\]]?[.:]\ """,
    re.VERBOSE)

# "MIRA: <a teaser's headline>" (a name, "Mira Sorvino…", is not a label).
_SEE = r"mir[aá]\s*:.*"

# Calls to click, to comment, to follow the site's channels or get its app; licence and
# telephone lines.
_CALLS = r"""
    (?:verraten|schreiben|sagen)\ sie\ (?:uns\ )?.*\bkommentar\w*\b.*|
    (?:let\ us\ know|tell\ us)\b.*\bcomments?\b.*|
    (?:dinos|cuéntanos|déjanos)\b.*\bcomentarios?\b.*|dites-nous\b.*\bcommentaires?\b.*|
    (?:telefon|tel|phone|fax|téléphone|teléfono)\.?\s*:?\s*\+?[\d(][\d\s()/.-]{5,}.*
"""

_LINE = re.compile(rf"^(?:{_ENGLISH}|{_RECIRCULATION}|{_WIDGETS}|{_SEE}|{_CALLS})$",
                   re.VERBOSE)

# What makes a line furniture wherever it stands in it (searched for: one pass, where
# "^.*….*$" would scan the line again for each of them).
_ANYWHERE = re.compile(
    r"""\b(?:to|in|into)\ your\ inbox\b|
        \b(?:sign\ up|subscribe)(?:\ now|\ today)?\ (?:to|for)\ our\b|
        \b(?:click|tap)(?:ing)?\ here\b|\ball\ rights\ reserved\b|
        \b(?:hier\ klicken|klicken\ sie\ hier|klicke\ hier|(?:findest\ du|finden\ sie)
            \ (?:\w+\ )?hier|hier\ geht'?s?\ (?:es\ )?(?:zu|zum|zur|weiter)|haz\ clic\ aquí
            |clic\ aquí|cliquez\ ici|sign\ up\ here)\b|
        \b(?:nuestro|nuestra|unser(?:em|en)?|our|notre|nosso)\ canal\b|
        \bcanal\ de\ (?:youtube|telegram|whatsapp)\b|
        \bdownload\ (?:the|our)\ .{0,40}\bapps?\b|
        \b(?:creative\ commons|cc[-\ ]by(?:-[a-z]+)*)\b|
        \bfree\ sign\ up\b|\bsign\ up\ (?:for\ )?free\b|
        (?<![a-z])(?:pdf|docx?|xlsx?|pptx?|zip|mp3|epub)\b[^a-z\d]{0,6}\d+(?:[.,]\d+)?\ ?(?:kb|mb
            |kib|mib|ko|mo)\b""",
    re.VERBOSE)
_EDGES = " .:…!|-–—•·>»"
# The heading of a press release's contacts: "Pressekontakt:", "Ansprechpartnerin zum
# Thema:", "Media enquiries", "Contact presse".
_CONTACTS = re.compile(
    r"""^(?:(?:presse|medien)?kontakt(?:\ für\ (?:die\ )?(?:presse|medien))?|pressekontakt
        |press(?:e)?\ ?contacts?|media\ (?:contacts?|enquiries|inquiries)
        |ansprechpartner(?:in)?(?:\ (?:für|zum)\ .*)?|contacto\ de\ prensa|contact\ presse
        |notes?\ to\ editors)$""",
    re.VERBOSE)

# Words one of which a line must hold for the searches to be worth running.
_ANYWHERE_KEYS = ("inbox", "sign up", "subscribe", "click", "tap", "rights reserved",
                  "hier", "clic", "canal", "download", "creative commons", "cc", "kb",
                  "mb", "kib", "mib", "ko", "mo")
_CAPTION_KEYS = ("©", "(c)", "foto", "photo", "bild", "credit", "crédit", "imag", "picture")


def is_furniture(text: str, words: int, *, linked: bool = False) -> bool:
    """The line (of ``words`` words; ``linked`` when most of it is link text) is page
    furniture, not the article's. The patterns are lower case, and so is the line they
    are tried on (cheaper than matching regardless of case)."""
    line = text.strip(_EDGES).lower()
    single = "\n" not in line  # code keeps its lines: the searches are for one line
    if (words <= MAX_WORDS or linked) and (_LINE.match(line) or (
            single and any(k in line for k in _ANYWHERE_KEYS) and _ANYWHERE.search(line))):
        return True
    if words > _DISCLOSURE_WORDS:
        return False
    if words <= _DATE_WORDS and _DATE_LINE.match(line):
        return True
    if words <= _CREDIT_WORDS and _CREDIT.match(line):
        return True
    if not single:
        return False
    whole = text.strip().lower()
    if words <= MAX_WORDS and any(k in whole for k in _CAPTION_KEYS) \
            and _CAPTION.search(whole):
        return True
    return bool(_DISCLOSURE.search(whole))


def is_contact_heading(text: str, words: int) -> bool:
    """The line heads a press release's contacts (names, telephones, the press kit)."""
    return words <= CONTACT_WORDS and bool(_CONTACTS.match(text.strip(" :.").lower()))
