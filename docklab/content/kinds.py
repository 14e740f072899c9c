"""Question types ("kinds"): each type is one class that owns everything about it.

A kind reads its own fields from a question file (``parse``, into the question's ``parts``),
checks an answer (``check``), shows the question without its answer (``public``), reads the web
page's answer form (``from_form``), says an answer in words (``describe``), names the wrong
answers for the class statistics (``wrong_pick_labels``), and names the template that draws its
answer inputs (``template``). The web app, the API and the statistics call these and never switch
on the type's name.

Adding a question type writes one class, one template and its translations, and changes no
other code:

1. One ``Kind`` subclass with a ``name`` (the ``type:`` in question files), in this module.
   Defining the class registers it in ``KINDS`` (a name used twice raises ``TypeError``). Its
   ``parse`` returns the question's ``parts``: a frozen dataclass written beside it, as
   ``SingleChoiceParts`` is for ``single``. Its learner-facing texts (the answer in words, the
   "nothing picked" message) are ``Text(ko, en)`` pairs in the class.
2. One template, ``docklab/quiz/templates/quiz/kinds/<name>.html``: the answer inputs inside the
   question page's form. It sees ``question``, ``public`` (what ``public`` returned, in the
   page's language) and ``previous`` (when the form comes back: ``values``, the posted
   ``answer`` values, and ``form``, the whole posted form). Inputs numbered ``data-key="1"``,
   ``"2"``, ... get number keys from quiz.js; ``number_keys = True`` makes the page say so.
3. Korean for the template's ``_()`` strings, in
   ``docklab/quiz/translations/ko/LC_MESSAGES/messages.po`` (tests/content/test_translations.py
   fails until they are there).

``tests/web/quiz/test_new_question_type.py`` does exactly this with a throwaway type and takes
it through the real question bank, quiz pages, ``/questions`` API and class statistics, which
need no change for it. Three documents list the types and are worth bringing along: the answer
shapes below, the fields in ``docklab/content/__init__.py`` and the API's
``docklab/api/openapi.json``.

Answer shapes (what the API receives as ``{"answer": ...}``):

==========  ===========================================  ==========================
type        answer                                       example
==========  ===========================================  ==========================
single      a choice id (string)                         ``"b"``
multi       a list of choice ids (order irrelevant)      ``["a", "c"]``
truefalse   a boolean                                    ``false``
short       a string                                     ``"docker ps -a"``
ordering    a list of every item id, in order            ``["infra", "hv", "os"]``
matching    a mapping left id -> right id, every left    ``{"client": "cli"}``
==========  ===========================================  ==========================
"""
from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

from grader.yamlsrc import YamlMap, YamlSeq

from . import answers
from .model import AnswerFormatError, AnswerResult, NoAnswer, Option, Question, Text, checked_lang
from .schema import MISSING, QuestionReader, describe

MAX_SHORT_ANSWER = 2000
# Free-form wrong answers (typed texts, arrangements) are many and mostly unique: the statistics
# list this many of the most frequent, and cut each to this many characters.
TOP_FREE_FORM_PICKS = 5
PICK_LABEL_LENGTH = 80


class FormData(Protocol):
    """A posted form as werkzeug's ``MultiDict`` offers it (a test can build one without Flask)."""

    def get(self, key: str, default: str = "") -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


class GradedAnswer(Protocol):
    """One stored answer, as the class statistics read it."""

    @property
    def answer(self) -> object: ...

    @property
    def correct(self) -> bool: ...


PICK_FIRST = Text("먼저 답을 고르세요.", "Pick an answer first.")
PICK_SOME_FIRST = Text("먼저 답을 하나 이상 고르세요.", "Pick at least one answer first.")
TYPE_FIRST = Text("먼저 답을 입력하세요.", "Type your answer first.")
MATCH_FIRST = Text("먼저 모든 항목의 짝을 고르세요.", "Match every item first.")
NOT_ANSWERABLE_HERE = Text("이 유형의 문제는 여기서 답할 수 없습니다.",
                           "This question type cannot be answered here.")


def _rng(question: Question, purpose: str) -> random.Random:
    digest = hashlib.sha256(f"{question.id}:{purpose}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 - not security


def _shuffled(question: Question, options: tuple[Option, ...], purpose: str) -> list[Option]:
    """Deterministic per question, and never the original order when there is another one."""
    result = list(options)
    _rng(question, purpose).shuffle(result)
    if len(result) > 1 and result == list(options):
        result = result[1:] + result[:1]
    return result


def _base(question: Question, lang: str) -> dict[str, Any]:
    return {
        "id": question.id,
        "type": question.type,
        "section": question.section_title or question.section,
        "anchor": question.anchor,
        "difficulty": question.difficulty,
        "tags": list(question.tags),
        "prompt": question.prompt.get(lang),
    }


def _options_public(options: Iterable[Option], lang: str) -> list[dict[str, Any]]:
    return [{"id": option.id, "text": option.text.get(lang)} for option in options]


def _require_ids(values: list[Any], known: list[str], what: str, what_ko: str) -> None:
    unknown = [value for value in values if value not in known]
    if unknown:
        raise AnswerFormatError(
            f"unknown {what} id(s): {', '.join(map(str, unknown))}; expected one of "
            f"{', '.join(known)}",
            f"알 수 없는 {what_ko} id: {', '.join(map(str, unknown))} "
            f"(가능한 값: {', '.join(known)})",
        )


def _string_list(answer: object, what: str, what_ko: str) -> list[str]:
    if not isinstance(answer, list) or not all(isinstance(item, str) for item in answer):
        raise AnswerFormatError(f"the answer must be a list of {what} ids (strings), "
                                f"not {describe(answer)}",
                                f"답은 {what_ko} id(문자열)의 목록이어야 합니다")
    if len(set(answer)) != len(answer):
        raise AnswerFormatError(f"the answer repeats a {what} id",
                                f"답에 같은 {what_ko} id가 두 번 들어 있습니다")
    return answer


def _one_value(form: FormData, nothing: Text) -> str:
    """The form's one ``answer`` value; NoAnswer when it is missing or blank."""
    value = form.get("answer") or ""
    if not value.strip():
        raise NoAnswer(nothing)
    return value


def _values(form: FormData) -> list[str]:
    """The form's ``answer`` values, in the page's order; NoAnswer when there are none."""
    values = form.getlist("answer")
    if not values:
        raise NoAnswer(PICK_SOME_FIRST)
    return values


P = TypeVar("P")

KINDS: dict[str, Kind[Any]] = {}
"""Every question type by name; a ``Kind`` subclass with a ``name`` adds itself."""


class Kind(Generic[P]):
    """A question type. ``P`` is its ``parts``: what ``parse`` read from the type's own fields.

    Defining a subclass with a ``name`` registers one instance of it in ``KINDS``.
    """

    name: ClassVar[str] = ""
    # the template with the answer inputs (under docklab/quiz/templates/); a subclass with a
    # name gets "quiz/kinds/<name>.html" unless it names another
    template: ClassVar[str] = ""
    fields: ClassVar[tuple[str, ...]] = ()  # the YAML fields it reads besides the common ones
    # the page says "number keys pick a choice": the template's inputs carry data-key 1, 2, ...
    number_keys: ClassVar[bool] = False
    # the answer in words is an order: shown to teachers as a numbered list
    ordered_answer: ClassVar[bool] = False
    # how many of the most frequent wrong picks the class statistics list (None: every one)
    wrong_picks_shown: ClassVar[int | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__ and cls.name:
            if not cls.__dict__.get("template"):
                cls.template = f"quiz/kinds/{cls.name}.html"
            if cls.name in KINDS:
                raise TypeError(f"question type '{cls.name}' is registered twice "
                                f"({type(KINDS[cls.name]).__qualname__} and {cls.__qualname__})")
            KINDS[cls.name] = cls()

    def parts(self, question: Question) -> P:
        """The question's own parts, as this kind's ``parse`` made them."""
        if question.type != self.name:
            raise TypeError(f"question '{question.id}' is of type '{question.type}', "
                            f"not '{self.name}'")
        return cast(P, question.parts)

    # -- content -----------------------------------------------------------------------------
    def parse(self, reader: QuestionReader, raw: YamlMap) -> P | None:
        """Read the type's own ``fields`` from ``raw``; None after reporting a problem."""
        raise NotImplementedError

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        """Grade an answer in its JSON shape; AnswerFormatError when the shape is wrong."""
        raise NotImplementedError

    def public(self, question: Question, lang: str) -> dict[str, Any]:
        """What a learner may see before answering: never the answer."""
        return _base(question, lang)

    # -- the web page --------------------------------------------------------------------------
    def from_form(self, question: Question, form: FormData) -> object:
        """The posted answer form as the answer's JSON shape; NoAnswer when nothing was given.
        Shape errors beyond that are left to ``check``, which names them."""
        raise NoAnswer(NOT_ANSWERABLE_HERE)

    def arranged(self, public: dict[str, Any], order: list[str]) -> dict[str, Any]:
        """``public`` with the learner's own arrangement when the form comes back (the ordering
        type's move buttons without JavaScript); unchanged for other types."""
        return public

    def describe(self, question: Question, given: object, lang: str) -> list[str]:
        """A learner's answer in words, one line per part (Markdown, as the content has it)."""
        return [str(given)]

    # -- class statistics ---------------------------------------------------------------------
    def wrong_pick_labels(self, question: Question, answers: Sequence[GradedAnswer],
                          lang: str) -> list[str]:
        """One label per wrong pick in ``answers`` (a label repeats as often as it was picked)."""
        return ["; ".join(self.describe(question, a.answer, lang))[:PICK_LABEL_LENGTH]
                for a in answers if not a.correct]


def kind_of(question: Question) -> Kind[Any]:
    """The kind of a question (its ``type``)."""
    return KINDS[question.type]


def public_dict(question: Question, lang: str = "ko") -> dict[str, Any]:
    """What a learner may see before answering (never the answer): GET /questions/<id> and the
    quiz pages. A language other than ko or en is a ValueError."""
    return kind_of(question).public(question, checked_lang(lang))


def describe_answer(question: Question, given: object, lang: str) -> list[str]:
    """A learner's answer in words (one line per part), for feedback, result and teacher pages;
    nothing when there is no answer."""
    if given is None:
        return []
    return kind_of(question).describe(question, given, lang)


# -- single and multiple choice ---------------------------------------------------------------
@dataclass(frozen=True)
class ChoiceParts:
    choices: tuple[Option, ...]
    shuffle: bool  # false: the choices in the order written


@dataclass(frozen=True)
class SingleChoiceParts(ChoiceParts):
    answer: str  # the right choice's id


@dataclass(frozen=True)
class MultipleChoiceParts(ChoiceParts):
    answer: tuple[str, ...]  # the right choices' ids


C = TypeVar("C", bound=ChoiceParts)


class _ChoiceKind(Kind[C]):
    fields = ("choices", "answer", "shuffle")
    number_keys = True

    def _parse_choices(self, reader: QuestionReader,
                       raw: YamlMap) -> tuple[tuple[Option, ...] | None, bool]:
        choices = reader.options(raw, "choices", min_items=2)
        shuffle = raw.get("shuffle", True)
        if not isinstance(shuffle, bool):
            reader.report(raw.line_of("shuffle"),
                          f"field 'shuffle' must be true or false, not {describe(shuffle)}")
        return choices, shuffle is not False

    def _known(self, reader: QuestionReader, raw: YamlMap, choices: Iterable[Option],
               ids: list[str]) -> bool:
        known = [choice.id for choice in choices]
        missing = [choice_id for choice_id in ids if choice_id not in known]
        for choice_id in missing:
            reader.report(raw.line_of("answer"),
                          f"field 'answer' names choice '{choice_id}', which is not among the "
                          f"choices ({', '.join(known)})")
        return not missing

    def _choice_ids(self, question: Question) -> list[str]:
        return [choice.id for choice in self.parts(question).choices]

    def public(self, question: Question, lang: str) -> dict[str, Any]:
        data = _base(question, lang)
        parts = self.parts(question)
        choices = _shuffled(question, parts.choices, "choices") if parts.shuffle \
            else list(parts.choices)
        data["choices"] = _options_public(choices, lang)
        return data

    def _display(self, question: Question, ids: Iterable[str], lang: str) -> list[str]:
        by_id = {choice.id: choice.text.get(lang) for choice in self.parts(question).choices}
        return [by_id[choice_id] for choice_id in ids]

    def _label(self, question: Question, choice_id: object, lang: str) -> str:
        """A choice's text; the id itself when the content no longer has it."""
        for option in self.parts(question).choices:
            if option.id == choice_id:
                return option.text.get(lang)
        return str(choice_id)

    def describe(self, question: Question, given: object, lang: str) -> list[str]:
        ids = [given] if isinstance(given, str) else \
            list(given) if isinstance(given, (list, tuple)) else [given]
        return [self._label(question, choice, lang) for choice in ids]


class SingleChoice(_ChoiceKind[SingleChoiceParts]):
    name = "single"

    def parse(self, reader: QuestionReader, raw: YamlMap) -> SingleChoiceParts | None:
        choices, shuffle = self._parse_choices(reader, raw)
        answer = reader.get(raw, "answer")
        if answer is MISSING:
            return None
        if isinstance(answer, YamlSeq):
            if len(answer) != 1:
                reader.report(raw.line_of("answer"),
                              "a single-choice question needs exactly one correct answer in "
                              f"'answer', got {len(answer)}"
                              + (f" ({', '.join(map(str, answer))})" if answer else ""))
                return None
            answer = answer[0]
        if not isinstance(answer, str):
            reader.report(raw.line_of("answer"),
                          f"field 'answer' must be a choice id, not {describe(answer)}")
            return None
        if choices is None or not self._known(reader, raw, choices, [answer]):
            return None
        return SingleChoiceParts(choices=choices, shuffle=shuffle, answer=answer)

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        if not isinstance(answer, str):
            raise AnswerFormatError(f"the answer must be one choice id (a string), "
                                    f"not {describe(answer)}",
                                    "답은 보기 id 하나(문자열)여야 합니다")
        _require_ids([answer], self._choice_ids(question), "choice", "보기")
        right = self.parts(question).answer
        return AnswerResult(answer == right, self._display(question, [right], lang)[0],
                            answer, right)

    def from_form(self, question: Question, form: FormData) -> object:
        return _one_value(form, PICK_FIRST)

    def wrong_pick_labels(self, question: Question, answers: Sequence[GradedAnswer],
                          lang: str) -> list[str]:
        right = self.parts(question).answer
        return [self._label(question, a.answer, lang) for a in answers
                if a.answer != right and isinstance(a.answer, str)]


class MultipleChoice(_ChoiceKind[MultipleChoiceParts]):
    name = "multi"

    def parse(self, reader: QuestionReader, raw: YamlMap) -> MultipleChoiceParts | None:
        choices, shuffle = self._parse_choices(reader, raw)
        answer = reader.get(raw, "answer")
        if answer is MISSING:
            return None
        if not isinstance(answer, YamlSeq) or not answer or \
                not all(isinstance(item, str) for item in answer):
            reader.report(raw.line_of("answer"),
                          "field 'answer' must be a list of one or more choice ids, "
                          f"not {describe(answer)}")
            return None
        if len(set(answer)) != len(answer):
            reader.report(raw.line_of("answer"), "field 'answer' repeats a choice id")
            return None
        if choices is None or not self._known(reader, raw, choices, list(answer)):
            return None
        return MultipleChoiceParts(choices=choices, shuffle=shuffle, answer=tuple(answer))

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        given = _string_list(answer, "choice", "보기")
        order = self._choice_ids(question)
        _require_ids(given, order, "choice", "보기")
        right = self.parts(question).answer
        expected = [cid for cid in order if cid in right]
        normalized = [cid for cid in order if cid in given]
        return AnswerResult(set(given) == set(right),
                            self._display(question, expected, lang), normalized, expected)

    def from_form(self, question: Question, form: FormData) -> object:
        return _values(form)

    def wrong_pick_labels(self, question: Question, answers: Sequence[GradedAnswer],
                          lang: str) -> list[str]:
        """Every wrong choice in each answer (one answer may pick several)."""
        right = set(self.parts(question).answer)
        given = [a.answer for a in answers]
        return [self._label(question, choice, lang) for picked in given
                if isinstance(picked, list) for choice in picked if choice not in right]


# -- true or false ----------------------------------------------------------------------------
@dataclass(frozen=True)
class TrueFalseParts:
    answer: bool


_TRUE_FALSE_DISPLAY = {True: Text("참 (O)", "True"), False: Text("거짓 (X)", "False")}


class TrueFalse(Kind[TrueFalseParts]):
    name = "truefalse"
    fields = ("answer",)
    number_keys = True

    def parse(self, reader: QuestionReader, raw: YamlMap) -> TrueFalseParts | None:
        answer = reader.get(raw, "answer")
        if answer is MISSING:
            return None
        if not isinstance(answer, bool):
            reader.report(raw.line_of("answer"),
                          f"field 'answer' must be true or false, not {describe(answer)}")
            return None
        return TrueFalseParts(answer=answer)

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        if not isinstance(answer, bool):
            raise AnswerFormatError(f"the answer must be true or false, not {describe(answer)}",
                                    "답은 true 또는 false여야 합니다")
        right = self.parts(question).answer
        return AnswerResult(answer == right, _TRUE_FALSE_DISPLAY[right].get(lang), answer, right)

    def from_form(self, question: Question, form: FormData) -> object:
        value = _one_value(form, PICK_FIRST)
        return {"true": True, "false": False}.get(value, value)

    def describe(self, question: Question, given: object, lang: str) -> list[str]:
        # "참 (O)" / "거짓 (X)" in Korean, "True" / "False" in English
        return [_TRUE_FALSE_DISPLAY[given is True].get(lang)]

    def wrong_pick_labels(self, question: Question, answers: Sequence[GradedAnswer],
                          lang: str) -> list[str]:
        right = self.parts(question).answer
        return [("O (true)" if a.answer else "X (false)") for a in answers
                if isinstance(a.answer, bool) and a.answer != right]


# -- short answer -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ShortAnswerParts:
    match: str  # "command" or "text"
    accepted: tuple[str, ...]  # command alternatives, or every text alternative (ko, en, synonyms)
    accepted_display: Text  # what to show as "the" answer


class ShortAnswer(Kind[ShortAnswerParts]):
    name = "short"
    fields = ("match", "accepted", "synonyms")
    wrong_picks_shown = TOP_FREE_FORM_PICKS

    def parse(self, reader: QuestionReader, raw: YamlMap) -> ShortAnswerParts | None:
        match = raw.get("match", "text")
        if match not in ("command", "text"):
            reader.report(raw.line_of("match"),
                          f"field 'match' must be 'command' or 'text', not {describe(match)}")
            return None
        synonyms = self._strings(reader, raw, "synonyms", required=False) or []
        if match == "command":
            accepted = self._strings(reader, raw, "accepted")
            if accepted is None:
                return None
            for index, command in enumerate([*accepted, *synonyms]):
                parsed = answers.parse_command(command)
                if parsed.issues:
                    reader.report(raw.line_of("accepted" if index < len(accepted)
                                              else "synonyms"),
                                  f"accepted command '{command}' cannot be compared the way a "
                                  f"shell user means it: {'; '.join(parsed.issues)}")
            display = Text(accepted[0], accepted[0])
            everything = [*accepted, *synonyms]
        else:
            mapping = reader.mapping(raw, "accepted")
            if mapping is None:
                return None
            reader.known_keys(mapping, ["ko", "en"], "accepted.")
            ko = self._strings(reader, mapping, "ko", "accepted.",
                               missing_line=raw.line_of("accepted"))
            en = self._strings(reader, mapping, "en", "accepted.",
                               missing_line=raw.line_of("accepted"))
            if ko is None or en is None:
                return None
            display = Text(ko[0], en[0])
            everything = [*ko, *en, *synonyms]
            for value in everything:
                if not answers.normalize_text(value):
                    reader.report(raw.line_of("accepted"),
                                  f"accepted answer '{value}' is empty once normalised")
        return ShortAnswerParts(match=str(match), accepted=tuple(everything),
                                accepted_display=display)

    def _strings(self, reader: QuestionReader, mapping: YamlMap, key: str, prefix: str = "", *,
                 required: bool = True, missing_line: int | None = None) -> list[str] | None:
        value = reader.get(mapping, key, prefix, required=required, missing_line=missing_line)
        if value is MISSING:
            return None
        if not isinstance(value, YamlSeq) or not value or \
                not all(isinstance(item, str) and item.strip() for item in value):
            reader.report(mapping.line_of(key),
                          f"field '{prefix}{key}' must be a list of non-empty texts, "
                          f"not {describe(value)}")
            return None
        return [item.strip() for item in value]

    def normalize(self, question: Question, text: str) -> str:
        if self.parts(question).match == "command":
            return answers.normalize_command(text)
        return answers.normalize_text(text)

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        if not isinstance(answer, str):
            raise AnswerFormatError(f"the answer must be text, not {describe(answer)}",
                                    "답은 문자열이어야 합니다")
        if len(answer) > MAX_SHORT_ANSWER:
            raise AnswerFormatError(f"the answer is longer than {MAX_SHORT_ANSWER} characters",
                                    f"답이 {MAX_SHORT_ANSWER}자를 넘습니다")
        parts = self.parts(question)
        given = self.normalize(question, answer)
        if parts.match == "command":
            accepted = {self.normalize(question, value) for value in parts.accepted}
            correct = given in accepted
        else:
            correct = answers.text_matches(answer, parts.accepted)
        display = parts.accepted_display.get(lang)
        return AnswerResult(bool(given) and correct, display, given, display)

    def public(self, question: Question, lang: str) -> dict[str, Any]:
        data = _base(question, lang)
        data["match"] = self.parts(question).match
        return data

    def from_form(self, question: Question, form: FormData) -> object:
        return _one_value(form, TYPE_FIRST)

    def wrong_pick_labels(self, question: Question, answers: Sequence[GradedAnswer],
                          lang: str) -> list[str]:
        """The wrong texts as typed, blanks squeezed."""
        return [" ".join(str(a.answer).split())[:PICK_LABEL_LENGTH] for a in answers
                if not a.correct and isinstance(a.answer, str) and a.answer.strip()]


# -- ordering ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrderingParts:
    items: tuple[Option, ...]  # in the correct order


class Ordering(Kind[OrderingParts]):
    name = "ordering"
    fields = ("items",)
    ordered_answer = True
    wrong_picks_shown = TOP_FREE_FORM_PICKS

    def parse(self, reader: QuestionReader, raw: YamlMap) -> OrderingParts | None:
        items = reader.options(raw, "items", min_items=3)
        return None if items is None else OrderingParts(items=items)

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        given = _string_list(answer, "item", "항목")
        items = self.parts(question).items
        known = [item.id for item in items]
        _require_ids(given, known, "item", "항목")
        if len(given) != len(known):
            raise AnswerFormatError(f"the answer must list all {len(known)} items, "
                                    f"got {len(given)}",
                                    f"{len(known)}개 항목을 모두 순서대로 나열해야 합니다 "
                                    f"({len(given)}개 받음)")
        texts = [item.text.get(lang) for item in items]
        return AnswerResult(given == known, texts, given, known)

    def public(self, question: Question, lang: str) -> dict[str, Any]:
        data = _base(question, lang)
        data["items"] = _options_public(_shuffled(question, self.parts(question).items, "items"),
                                        lang)
        return data

    def from_form(self, question: Question, form: FormData) -> object:
        return _values(form)

    def arranged(self, public: dict[str, Any], order: list[str]) -> dict[str, Any]:
        by_id = {item["id"]: item for item in public["items"]}
        if order and sorted(order) == sorted(by_id):
            public = dict(public, items=[by_id[item_id] for item_id in order])
        return public

    def describe(self, question: Question, given: object, lang: str) -> list[str]:
        if not isinstance(given, (list, tuple)):
            return [str(given)]
        texts = {item.id: item.text.get(lang) for item in self.parts(question).items}
        return [texts.get(item, str(item)) for item in given]

    def wrong_pick_labels(self, question: Question, answers: Sequence[GradedAnswer],
                          lang: str) -> list[str]:
        """The wrong arrangements as given (ids: an order in words would not fit a line)."""
        return [json.dumps(a.answer, ensure_ascii=False)[:PICK_LABEL_LENGTH] for a in answers
                if not a.correct]


# -- matching ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MatchingParts:
    pairs: tuple[tuple[Option, Option], ...]  # left -> right
    distractors: tuple[Option, ...] = ()  # extra right-hand options with no partner


class Matching(Kind[MatchingParts]):
    name = "matching"
    fields = ("pairs", "distractors")
    wrong_picks_shown = TOP_FREE_FORM_PICKS

    def parse(self, reader: QuestionReader, raw: YamlMap) -> MatchingParts | None:
        seq = reader.sequence(raw, "pairs", min_items=3)
        distractors = reader.options(raw, "distractors", min_items=1, required=False) or ()
        if seq is None:
            return None
        pairs: list[tuple[Option, Option]] = []
        complete = True
        for index, entry in enumerate(seq):
            path = f"pairs[{index}]"
            line = seq.line_of(index)
            if not isinstance(entry, YamlMap):
                reader.report(line, f"field '{path}' must be a mapping with left and right, "
                                    f"not {describe(entry)}")
                complete = False
                continue
            reader.known_keys(entry, ["left", "right"], f"{path}.")
            left = reader.get(entry, "left", f"{path}.")
            right = reader.get(entry, "right", f"{path}.")
            left = None if left is MISSING else reader.option(
                left, entry.line_of("left"), f"{path}.left")
            right = None if right is MISSING else reader.option(
                right, entry.line_of("right"), f"{path}.right")
            if left is None or right is None:
                complete = False
                continue
            pairs.append((left, right))
        if not complete:
            return None
        for side, options in (("left", [p[0] for p in pairs]), ("right", [p[1] for p in pairs])):
            ids = [option.id for option in options]
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                reader.report(raw.line_of("pairs"),
                              f"field 'pairs' uses {side} id(s) more than once: "
                              f"{', '.join(repeated)}")
                return None
        if not self._distractors_stand_apart(reader, raw, seq, pairs, distractors):
            return None
        return MatchingParts(pairs=tuple(pairs), distractors=tuple(distractors))

    @staticmethod
    def _distractors_stand_apart(reader: QuestionReader, raw: YamlMap, seq: YamlSeq,
                                 pairs: list[tuple[Option, Option]],
                                 distractors: Iterable[Option]) -> bool:
        """A distractor is one more right-hand option: the answer names it by id and the learner
        tells it apart by its text, so neither may repeat a pair's right side."""
        if not distractors:
            return True
        lines = raw["distractors"]
        apart = True
        for index, option in enumerate(distractors):
            for pair_index, (_, right) in enumerate(pairs):
                where = f"'pairs[{pair_index}].right' (line {seq[pair_index].line_of('right')})"
                if option.id == right.id:
                    reader.report(lines.line_of(index),
                                  f"field 'distractors[{index}].id' repeats the right id "
                                  f"'{option.id}' of {where}; a distractor needs an id of "
                                  "its own")
                    apart = False
                for lang in ("ko", "en"):
                    if option.text.get(lang).casefold() == right.text.get(lang).casefold():
                        reader.report(lines.line_of(index),
                                      f"field 'distractors[{index}].{lang}' has the same text "
                                      f"as {where}: learners could not tell them apart")
                        apart = False
        return apart

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        if not isinstance(answer, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in answer.items()):
            raise AnswerFormatError("the answer must be a mapping of left id to right id "
                                    f"(strings), not {describe(answer)}",
                                    "답은 왼쪽 id → 오른쪽 id 매핑이어야 합니다")
        parts = self.parts(question)
        lefts = [left.id for left, _ in parts.pairs]
        rights = [right.id for _, right in parts.pairs] + \
            [option.id for option in parts.distractors]
        _require_ids(list(answer), lefts, "left", "왼쪽")
        _require_ids(list(answer.values()), rights, "right", "오른쪽")
        missing = [left for left in lefts if left not in answer]
        if missing:
            raise AnswerFormatError(f"the answer must match every left item; missing: "
                                    f"{', '.join(missing)}",
                                    "왼쪽 항목을 모두 짝지어야 합니다 "
                                    f"(빠짐: {', '.join(missing)})")
        expected = {left.id: right.id for left, right in parts.pairs}
        display = [f"{left.text.get(lang)} → {right.text.get(lang)}"
                   for left, right in parts.pairs]
        normalized = {left: answer[left] for left in lefts}
        return AnswerResult(normalized == expected, display, normalized, expected)

    def public(self, question: Question, lang: str) -> dict[str, Any]:
        data = _base(question, lang)
        parts = self.parts(question)
        data["left"] = _options_public([left for left, _ in parts.pairs], lang)
        rights = tuple(right for _, right in parts.pairs) + parts.distractors
        data["right"] = _options_public(_shuffled(question, rights, "right"), lang)
        return data

    def from_form(self, question: Question, form: FormData) -> object:
        """One select per left item, named ``match-<left id>``."""
        answer = {left.id: form.get(f"match-{left.id}") or ""
                  for left, _ in self.parts(question).pairs}
        if not all(answer.values()):
            raise NoAnswer(MATCH_FIRST)
        return answer

    def describe(self, question: Question, given: object, lang: str) -> list[str]:
        """Each pair as "left → right"; a chosen distractor by its text."""
        if not isinstance(given, dict):
            return [str(given)]
        parts = self.parts(question)
        lefts = {left.id: left.text.get(lang) for left, _ in parts.pairs}
        rights = {right.id: right.text.get(lang) for _, right in parts.pairs}
        rights.update({option.id: option.text.get(lang) for option in parts.distractors})
        return [f"{lefts.get(k, k)} → {rights.get(v, v)}" for k, v in given.items()]

    def wrong_pick_labels(self, question: Question, answers: Sequence[GradedAnswer],
                          lang: str) -> list[str]:
        """Each wrong pair in words, so a chosen distractor shows as the text learners chose."""
        expected = {left.id: right.id for left, right in self.parts(question).pairs}
        labels: list[str] = []
        for a in answers:
            given = a.answer
            if isinstance(given, dict):
                wrong = {left: right for left, right in given.items()
                         if expected.get(left) != right}
                labels.extend(self.describe(question, wrong, lang))
        return labels
