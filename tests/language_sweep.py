"""What a person reads on a page, and the words that should not be there in that language.

The both-language sweep (tests/test_language_sweep.py) renders every page of tests/site_world.py in
Vietnamese and in English, takes the text a reader sees (`visible_text`), removes what participants
typed (the world is built with `marked` text, so their data sits between ⟦ and ⟧) and the other data
the world holds (place names, user names, codes), and looks at what is left, the site's own words:

- on a Vietnamese page, no English source string of the catalogue whose translation differs, no
  quantity with an English unit ("2 box"), and no other English word: every word without Vietnamese
  letters must be a word of the Vietnamese catalogue (Vietnamese keeps "email", "QR", "kg") — this
  is what catches a label Django made up from a field name ("Fmt") or a string that never reached
  the catalogue;
- on an English page, no Vietnamese translation of the catalogue and no other Vietnamese word;
- on both, no internal key (snake_case and dotted identifiers, values of choices, audit actions,
  rule and check codes) where a label belongs, and no word said twice ("ngày Ngày 02 tháng 12").

Phrases are matched as whole words: a catalogue string is cut at its placeholders, and a piece counts
when it has at least two words or is one word of four letters or more that the other language does not
also use (English words such as "long", "than" or "sang" are Vietnamese syllables too).

An element marked `translate="no"` (HTML's own attribute for text that must stay as it is: code
samples, column names of a data format) and an element in the other language (`lang="en"` on a
Vietnamese page, such as the language switch) are left out, with their content.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPEN, CLOSE = "⟦", "⟧"


def marked(label: str) -> str:
    """The text of a field typed by a participant, recognisable so that a language check can skip it."""
    return f"{OPEN}{label}{CLOSE}"


# -- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    msgid: str
    msgid_plural: str
    msgstrs: tuple[str, ...]
    context: str = ""

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.msgid, self.msgid_plural) if self.msgid_plural else (self.msgid,)


@functools.cache
def catalogue(language: str = "vi") -> tuple[Entry, ...]:
    """The translated, non-fuzzy entries of locale/<language>/LC_MESSAGES/django.po."""
    text = (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        current = None
        fuzzy = False
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if not line or line.startswith("#"):
                continue
            if line.startswith('"'):
                if current is not None:
                    fields[current] += ast.literal_eval(line)
                continue
            current, _space, rest = line.partition(" ")
            fields[current] = ast.literal_eval(rest)
        msgid = fields.get("msgid", "")
        msgstrs = tuple(value for key, value in sorted(fields.items()) if key.startswith("msgstr") and value)
        if msgid and msgstrs and not fuzzy:
            entries.append(Entry(msgid, fields.get("msgid_plural", ""), msgstrs, fields.get("msgctxt", "")))
    return tuple(entries)


# -- visible text -------------------------------------------------------------------------------

#: Attributes whose text a person reads or hears (screen readers); `data-text-*` is what a script shows.
SHOWN_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label", "aria-description", "label"}
BLOCK_ELEMENTS = {
    "address", "article", "aside", "blockquote", "br", "button", "caption", "code", "dd", "details", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "label", "legend", "li", "main", "nav", "ol", "option", "p", "pre", "section", "select", "summary",
    "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "title", "tr", "ul",
}  # fmt: skip
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Reader(HTMLParser):
    """Collects a page's visible text, a line per block element or attribute.

    The page's <title> counts (a tab and a bookmark show it), <template> content counts (scripts show
    it), a JSON <script> counts for its string values (a script's messages and labels); other scripts
    and styles do not. Same-origin links that scripts load (`data-*` attributes and JSON values that
    are paths) are kept in `feeds`.
    """

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.lines: list[str] = [""]
        self.stack: list[tuple[str, bool]] = []  # (tag, its content is left out)
        self.json_script = False
        self.feeds: list[str] = []
        self.numbers: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def _break(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def _add(self, text: str) -> None:
        self._break()
        self.lines[-1] += text
        self._break()

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        lang = attributes.get("lang", "")
        left_out = (
            tag in ("script", "style")
            or (bool(lang) and not lang.startswith(self.language))
            or attributes.get("translate") == "no"
        )
        if not self.skipping:
            if tag == "script" and attributes.get("type") == "application/json":
                self.json_script, left_out = True, False
            self.feeds += [v for k, v in attributes.items() if k.startswith("data-") and v.startswith("/")]
            if not left_out:
                for key, value in attributes.items():
                    if value and (key in SHOWN_ATTRIBUTES or key.startswith("data-text-")):
                        self._add(value)
                kind = attributes.get("type", "").lower()
                if tag == "input" and kind in ("submit", "button", "reset") and attributes.get("value"):
                    self._add(attributes["value"])
                if tag == "input" and kind == "number" and attributes.get("value"):
                    self.numbers.append(attributes["value"])
        self._boundary(tag)
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, left_out))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break
        if tag == "script":
            self.json_script = False
        self._boundary(tag)

    def _boundary(self, tag: str) -> None:
        if tag in BLOCK_ELEMENTS:
            self._break()
        elif self.lines[-1] and not self.lines[-1].endswith(JOIN):
            self.lines[-1] += JOIN

    def handle_data(self, data):
        if self.json_script:
            try:
                document = json.loads(data)
            except ValueError:
                return
            for value in json_strings(document):
                self._add(value)
            self.feeds += json_paths(document)
        elif not self.skipping:
            self.lines[-1] += data


_IDENTIFIER = re.compile(r"[A-Za-z][\w-]*")


def json_strings(value) -> list[str]:
    """The string values of a JSON document that a script could show: not its keys, not paths or
    colours, and not single ASCII identifiers ("Feature", "orange"), which scripts use as codes."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in json_strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    shown = isinstance(value, str) and re.search(r"[^\W\d_]{2}", value)
    if shown and not re.match(r"^(https?:|/|#)", value) and not _IDENTIFIER.fullmatch(value):
        return [value]
    return []


def json_paths(value) -> list[str]:
    if isinstance(value, dict):
        return [path for item in value.values() for path in json_paths(item)]
    if isinstance(value, list):
        return [path for item in value for path in json_paths(item)]
    return [value] if isinstance(value, str) and re.match(r"^/[\w/-]", value) else []


@dataclass
class Page:
    lines: list[str]
    feeds: list[str]
    #: The values of number inputs, as the HTML carries them (always with a decimal point).
    numbers: list[str]


def read_page(html: str, language: str) -> Page:
    """The lines of text a reader of `html` sees (or hears), whitespace collapsed, and its scripts' feeds."""
    reader = _Reader(language)
    reader.feed(html)
    reader.close()
    lines = (" ".join(line.split()).strip(JOIN + " ") for line in reader.lines)
    return Page([line for line in lines if line.replace(JOIN, "").strip()], reader.feeds, reader.numbers)


def visible_text(html: str, language: str) -> list[str]:
    """The lines as a person reads them (elements on one line simply follow each other)."""
    return [line.replace(JOIN, "") for line in read_page(html, language).lines]


# -- data is not chrome -------------------------------------------------------------------------

#: Not next to a letter (digits may touch a word: "Bắc Quang4" is a name and a count in two cells).
_BEFORE, _AFTER = r"(?<![^\W\d_])", r"(?![^\W\d_])"
#: Put between the texts of two elements on one line ("<a>…tem</a><a>Tem…</a>"): not a space, not a word.
JOIN = "\u2063"
_FILE_OR_ADDRESS = re.compile(
    r"\S+@\S+\.\w+|https?://\S+|\b[\w-]+\.(?:png|jpe?g|webp|gif|pdf|csv|zip|json|geojson|mp3|m4a|ogg|wav)\b"
)


def without_data(line: str, data: Iterable[str] = ()) -> str:
    """The line with participants' text (between ⟦ and ⟧, possibly cut short), the given data strings,
    email and web addresses and file names each replaced by "•"."""
    line = re.sub(f"{OPEN}[^{CLOSE}]*{CLOSE}", " • ", line)
    line = re.sub(f"{OPEN}[^{CLOSE}]*$", " • ", line)
    line = re.sub(f"^[^{OPEN}]*{CLOSE}", " • ", line)
    line = _FILE_OR_ADDRESS.sub(" • ", line)
    for text in data:
        if text.lower() in line.lower():
            line = re.sub(_BEFORE + re.escape(text) + _AFTER, " • ", line, flags=re.IGNORECASE)
    return line


# -- words and phrases --------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{.*?\}\}|\{\w*\}|%%")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _pieces(text: str) -> list[str]:
    """The runs of words of a catalogue string between its placeholders and punctuation."""
    pieces = []
    for part in _PLACEHOLDER.split(text):
        for run in re.split(r"[.:;!?…()\[\]«»\"“”/|·—–\n]+|\s-\s", part):
            words = _WORD.findall(run)
            if words:
                pieces.append(" ".join(words))
    return pieces


def words_of(texts: Iterable[str]) -> set[str]:
    """The words of the texts, lower case, leaving out placeholders ("%(fmt)s" is no word of the language)."""
    return {word.lower() for text in texts for word in _WORD.findall(_PLACEHOLDER.sub(" ", text))}


def _pattern(phrase: str) -> re.Pattern:
    return re.compile(_BEFORE + re.escape(phrase).replace(r"\ ", r"\s+") + _AFTER, re.IGNORECASE)


#: Words without Vietnamese letters that a Vietnamese page may show, with the reason.
VIETNAMESE_KEEPS = {
    # Names of schemes, services, formats and things Vietnamese writes as they are.
    "email", "online", "website", "web", "logo", "vietgap", "globalgap", "ocop", "vietqr", "napas", "gap",
    "openstreetmap", "google", "maps", "leaflet", "geojson", "json", "csv", "pdf", "png", "svg", "jpeg",
    "javascript", "api", "pin", "qr", "gps", "gtin", "gs", "sms", "zalo", "camera", "iphone", "android",
    "safari", "chrome", "natural", "earth", "geonames", "ocha", "hdx", "cod", "igo", "cc",
    # Units and symbols.
    "kg", "ml", "ha", "km", "vnd",
}  # fmt: skip

#: Vietnamese an English page may show: names of places and of the varieties, which English keeps.
ENGLISH_KEEPS = {
    "Nguồn gốc Hà Giang", "Tiếng Việt", "Việt Nam", "Hà Giang", "Tuyên Quang", "Hà Nội", "Sài Gòn",
    # The districts of Hà Giang (before 2025), named on the pages that describe the growing regions.
    "Bắc Quang", "Quang Bình", "Vị Xuyên", "Hoàng Su Phì", "Xín Mần", "Đồng Văn", "Mèo Vạc", "Yên Minh",
    "Quản Bạ", "Bắc Mê",
    # Varieties and an example of a production area's name, as English writes them.
    "Cam sành oranges", "e.g. cam sành", "Shan tuyết", "Đồi chè Phìn Hồ", "đồng",
}  # fmt: skip
#: Names of licences: "CC BY 3.0" is no number for the reader.
LICENCES = ("CC BY 3.0 IGO", "CC BY 4.0")


@functools.cache
def vietnamese_vocabulary() -> frozenset[str]:
    return frozenset(words_of(text for entry in catalogue("vi") for text in entry.msgstrs) | VIETNAMESE_KEEPS)


@functools.cache
def english_vocabulary() -> frozenset[str]:
    return frozenset(words_of(text for entry in catalogue("vi") for text in entry.sources))


@functools.cache
def english_phrases() -> tuple[tuple[str, re.Pattern], ...]:
    """Every English piece of the catalogue that a Vietnamese page must not show, with its pattern."""
    phrases = {}
    for entry in catalogue("vi"):
        kept = words_of(entry.msgstrs)
        for source in entry.sources:
            for piece in _pieces(source):
                words = piece.lower().split()
                if all(word in kept or word in vietnamese_vocabulary() for word in words):
                    continue
                if len(words) == 1 and len(words[0]) < 4:
                    continue
                phrases[piece.lower()] = None
    return tuple((phrase, _pattern(phrase)) for phrase in phrases)


@functools.cache
def vietnamese_phrases() -> tuple[tuple[str, re.Pattern], ...]:
    """Every Vietnamese piece of the catalogue that an English page must not show, with its pattern."""
    keeps = {keep.lower() for keep in ENGLISH_KEEPS}
    phrases = {}
    for entry in catalogue("vi"):
        kept = words_of(entry.sources)
        for text in entry.msgstrs:
            for piece in _pieces(text):
                words = piece.lower().split()
                if piece.lower() in keeps or all(w in kept or w in english_vocabulary() for w in words):
                    continue
                if len(words) == 1 and (len(words[0]) < 3 or words[0].isascii()):
                    continue
                phrases[piece.lower()] = None
    return tuple((phrase, _pattern(phrase)) for phrase in phrases)


@functools.cache
def english_units() -> re.Pattern:
    """A number followed by a one-word English string of the catalogue: "2 box", "3 pack", "30 issued"."""
    words = {
        entry.msgid.lower()
        for entry in catalogue("vi")
        if re.fullmatch(r"[a-z]{2,}", entry.msgid)
        and entry.msgid not in entry.msgstrs
        and entry.msgid.lower() not in vietnamese_vocabulary()
    }
    return re.compile(r"\b\d+(?:[.,]\d+)?\s?(" + "|".join(sorted(map(re.escape, words))) + r")\b", re.IGNORECASE)


_VIETNAMESE_LETTER = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)
_NUMBER_EDGE_BEFORE, _NUMBER_EDGE_AFTER = r"(?<![\w.,/:-])", r"(?![\w/:-]|[.,]\d)"
#: Numbers and dates written the other language's way: (pattern, what is wrong).
NUMBER_FORMATS = {
    "vi": [
        (r"\d+\.\d{1,2}", "a decimal point (Vietnamese writes 1,5)"),
        (r"\d+,\d*0", "a decimal with trailing zeros (write 200 or 1,5)"),
        (r"\d{1,3}(?:,\d{3}){2,}", "thousands grouped with commas (Vietnamese writes 1.250.000)"),
        (r"\d{1,2}-\d{1,2}-\d{4}|\d{4}-\d{2}-\d{2}", "a date that is not dd/mm/yyyy"),
    ],
    "en": [
        (r"\d+,\d{1,2}", "a decimal comma (English writes 1.5)"),
        (r"\d+\.\d*0", "a decimal with trailing zeros, or thousands grouped with dots"),
        (r"\d{1,3}(?:\.\d{3}){2,}", "thousands grouped with dots (English writes 1,250,000)"),
        (r"\d{1,2}-\d{1,2}-\d{4}|\d{4}-\d{2}-\d{2}", "a date not in the English format"),
    ],
}


def _clean(line: str, data: Iterable[str]) -> str:
    """The line without participants' data, and without placeholders a script fills in ("%(count)s")."""
    return without_data(_PLACEHOLDER.sub(" • ", line.replace(JOIN, " ")), data)


def _longest(hits: set[str]) -> set[str]:
    """Only the longest of overlapping hits: "deliver to" hides "deliver"."""
    return {hit for hit in hits if not any(hit != other and hit.lower() in other.lower() for other in hits)}


def _shown(line: str) -> str:
    return line.replace(JOIN, "")


def english_left(lines: Iterable[str], data: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(English text, line) for each English phrase or word the Vietnamese lines still show."""
    data = tuple(data)
    found = []
    for raw in lines:
        line = _clean(raw, data)
        hits = {phrase for phrase, pattern in english_phrases() if pattern.search(line)}
        hits |= {match.group(0) for match in english_units().finditer(line)}
        for token in line.split():
            # Codes, user names and keys (digits, dots, underscores) are for keys_shown; acronyms are names.
            if re.search(r"[\d._@/]", token):
                continue
            for word in _WORD.findall(token):
                english = word.isascii() and len(word) >= 3 and not word.isupper()
                if english and word.lower() not in vietnamese_vocabulary():
                    hits.add(word)
        found += [(hit, _shown(raw)) for hit in sorted(_longest(hits))]
    return found


def vietnamese_left(lines: Iterable[str], data: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(Vietnamese text, line) for each Vietnamese phrase or word the English lines still show."""
    data = tuple(data) + tuple(sorted(ENGLISH_KEEPS, key=len, reverse=True))
    found = []
    for raw in lines:
        line = _clean(raw, data)
        hits = {phrase for phrase, pattern in vietnamese_phrases() if pattern.search(line)}
        hits |= {word for word in _WORD.findall(line) if _VIETNAMESE_LETTER.search(word)}
        found += [(hit, _shown(raw)) for hit in sorted(_longest(hits))]
    return found


def numbers_misformatted(lines: Iterable[str], language: str, data: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(number and what is wrong, line) for numbers and dates written the other language's way."""
    data = tuple(data) + LICENCES
    patterns = [
        (re.compile(_NUMBER_EDGE_BEFORE + f"(?:{pattern})" + _NUMBER_EDGE_AFTER), why)
        for pattern, why in NUMBER_FORMATS[language]
    ]
    found = []
    for raw in lines:
        line = _clean(raw, data)
        for pattern, why in patterns:
            found += [(f"{match.group(0)}: {why}", _shown(raw)) for match in pattern.finditer(line)]
    return found


_REPEATED = re.compile(_BEFORE + r"([^\W\d_]{2,})\s+\1" + _AFTER, re.IGNORECASE)


def repeated_words(lines: Iterable[str], data: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(words, line) for a word said twice in a row in one element's text ("ngày Ngày 02/12")."""
    data = tuple(data)
    found = []
    for raw in lines:
        for part in raw.split(JOIN):
            found += [(match.group(0), _shown(raw)) for match in _REPEATED.finditer(without_data(part, data))]
    return found


# -- internal keys ------------------------------------------------------------------------------

_SNAKE = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")


def keys_shown(lines: Iterable[str], keys: Iterable[str], data: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(key, line) for each internal key in the lines: any snake_case word; each dotted key of `keys`
    ("producer.approved"); and each single-word key of `keys` standing alone where a label or a value
    belongs (a whole cell, or between separators: "status: surveyed")."""
    keys = set(keys)
    compound = sorted((k for k in keys if "." in k or "_" in k or "-" in k), key=len, reverse=True)
    single = {k for k in keys if k not in compound}
    compound_pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, compound)) + r")(?![\w])")
    data = tuple(data)
    found = []
    for raw in lines:
        line = _clean(raw, data)
        hits = set(_SNAKE.findall(line))
        if compound:
            hits |= set(compound_pattern.findall(line))
        for cell in re.split(r"\s*(?:[·|—:;,()=→]|\s-\s)\s*", line):
            if cell in single:
                hits.add(cell)
        found += [(hit, _shown(raw)) for hit in sorted(hits)]
    return found


def number_inputs_misformatted(values: Iterable[str]) -> list[tuple[str, str]]:
    """(value, why) for a number field filled with trailing zeros: 200 g stored as 200.000 reads as
    two hundred thousand."""
    return [(value, "a number field with trailing zeros") for value in values if re.fullmatch(r"-?\d+\.\d*0", value)]
