"""Markdown to HTML for the notes, prompts and explanations, and answers shown back as lines.

The notes are trusted repository content, but no raw HTML passes through anyway: HTML in the
Markdown is shown as text and links may only be relative, http(s) or mailto.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

SAFE_SCHEMES = ("http://", "https://", "mailto:", "#", "/")


class _SafeLinks(Treeprocessor):
    def run(self, root: Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and ":" in value.split("/")[0] \
                        and not value.lower().startswith(SAFE_SCHEMES):
                    del element.attrib[attribute]


class _NoRawHtml(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


_local = threading.local()


def _converter() -> markdown.Markdown:
    # Markdown instances keep state between calls: one per thread, reset each time.
    if not hasattr(_local, "md"):
        _local.md = markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", _NoRawHtml()])
    return _local.md


@lru_cache(maxsize=2048)
def _render(text: str) -> str:
    md = _converter()
    md.reset()
    return md.convert(text)


def markdown_html(text: str | None) -> Markup:
    """Block Markdown (paragraphs, lists, code) as safe HTML."""
    return Markup(_render(text or ""))  # noqa: S704 - raw HTML is disabled above


def inline_html(text: str | None) -> Markup:
    """Markdown for one line (a choice, a prompt): the single wrapping <p> is dropped."""
    html = _render(text or "")
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)  # noqa: S704 - raw HTML is disabled above


def as_lines(value) -> list[str]:
    """AnswerResult.correct_answer is a text or a list of texts."""
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]
