"""Korean first: every UI string the code marks for translation has a Korean text in one of the
area catalogs (docklab/**/translations/ko). Strings built inside f-strings are invisible to the
extractor: keep translatable words out of f-strings, or add them to a catalog by hand."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2] / "docklab"
KEYWORDS = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None)
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def korean_catalog() -> set[tuple[str | None, str]]:
    known = set()
    for path in PACKAGE.glob("**/translations/ko/LC_MESSAGES/messages.po"):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    known.add((message.context, key))
    return known


def test_every_marked_string_has_korean():
    known = korean_catalog()
    missing = []
    for filename, line, message, _comments, context in extract_from_dir(
            str(PACKAGE), METHODS, keywords=KEYWORDS):
        key = message if isinstance(message, str) else message[0]
        if key and (context, key) not in known:
            missing.append(f"docklab/{filename}:{line}: {key!r}"
                           + (f" (context {context!r})" if context else ""))
    assert missing == [], "no Korean for:\n" + "\n".join(missing)
