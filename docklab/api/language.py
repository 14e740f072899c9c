"""The language of an API answer: `?lang=en|ko`, else the Accept-Language header, else Korean
(docklab.i18n.request_lang; the error handlers use it too)."""
from ..i18n import request_lang

__all__ = ["request_lang"]
