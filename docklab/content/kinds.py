"""Question types: how each one is read from YAML, checked, and shown without its answer.

Adding a type is one class here, registered in KINDS by name.

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
import random
from collections.abc import Iterable
from typing import Any

from grader.yamlsrc import YamlMap, YamlSeq

from . import answers
from .model import AnswerFormatError, AnswerResult, Option, Question, Text
from .schema import MISSING, QuestionReader, describe

MAX_SHORT_ANSWER = 2000


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


def _choice_ids(question: Question) -> list[str]:
    return [choice.id for choice in question.choices]


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


class Kind:
    name = ""
    fields: tuple[str, ...] = ()

    def parse(self, reader: QuestionReader, raw: YamlMap) -> dict[str, Any] | None:
        raise NotImplementedError

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        raise NotImplementedError

    def public(self, question: Question, lang: str) -> dict[str, Any]:
        return _base(question, lang)


class _ChoiceKind(Kind):
    fields = ("choices", "answer", "shuffle")

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

    def public(self, question: Question, lang: str) -> dict[str, Any]:
        data = _base(question, lang)
        choices = _shuffled(question, question.choices, "choices") if question.shuffle \
            else list(question.choices)
        data["choices"] = _options_public(choices, lang)
        return data

    def _display(self, question: Question, ids: Iterable[str], lang: str) -> list[str]:
        by_id = {choice.id: choice.text.get(lang) for choice in question.choices}
        return [by_id[choice_id] for choice_id in ids]


class SingleChoice(_ChoiceKind):
    name = "single"

    def parse(self, reader: QuestionReader, raw: YamlMap) -> dict[str, Any] | None:
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
        return {"choices": choices, "answer": answer, "shuffle": shuffle}

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        if not isinstance(answer, str):
            raise AnswerFormatError(f"the answer must be one choice id (a string), "
                                    f"not {describe(answer)}",
                                    "답은 보기 id 하나(문자열)여야 합니다")
        _require_ids([answer], _choice_ids(question), "choice", "보기")
        return AnswerResult(answer == question.answer,
                            self._display(question, [question.answer], lang)[0],
                            answer, question.answer)


class MultipleChoice(_ChoiceKind):
    name = "multi"

    def parse(self, reader: QuestionReader, raw: YamlMap) -> dict[str, Any] | None:
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
        return {"choices": choices, "answer": tuple(answer), "shuffle": shuffle}

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        given = _string_list(answer, "choice", "보기")
        _require_ids(given, _choice_ids(question), "choice", "보기")
        order = _choice_ids(question)
        expected = [cid for cid in order if cid in question.answer]
        normalized = [cid for cid in order if cid in given]
        return AnswerResult(set(given) == set(question.answer),
                            self._display(question, expected, lang), normalized, expected)


_TRUE_FALSE_DISPLAY = {True: Text("참 (O)", "True"), False: Text("거짓 (X)", "False")}


class TrueFalse(Kind):
    name = "truefalse"
    fields = ("answer",)

    def parse(self, reader: QuestionReader, raw: YamlMap) -> dict[str, Any] | None:
        answer = reader.get(raw, "answer")
        if answer is MISSING:
            return None
        if not isinstance(answer, bool):
            reader.report(raw.line_of("answer"),
                          f"field 'answer' must be true or false, not {describe(answer)}")
            return None
        return {"answer": answer}

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        if not isinstance(answer, bool):
            raise AnswerFormatError(f"the answer must be true or false, not {describe(answer)}",
                                    "답은 true 또는 false여야 합니다")
        return AnswerResult(answer == question.answer,
                            _TRUE_FALSE_DISPLAY[question.answer].get(lang), answer,
                            question.answer)


class ShortAnswer(Kind):
    name = "short"
    fields = ("match", "accepted", "synonyms")

    def parse(self, reader: QuestionReader, raw: YamlMap) -> dict[str, Any] | None:
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
        return {"match": match, "accepted": tuple(everything), "accepted_display": display}

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
        if question.match == "command":
            return answers.normalize_command(text)
        return answers.normalize_text(text)

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        if not isinstance(answer, str):
            raise AnswerFormatError(f"the answer must be text, not {describe(answer)}",
                                    "답은 문자열이어야 합니다")
        if len(answer) > MAX_SHORT_ANSWER:
            raise AnswerFormatError(f"the answer is longer than {MAX_SHORT_ANSWER} characters",
                                    f"답이 {MAX_SHORT_ANSWER}자를 넘습니다")
        given = self.normalize(question, answer)
        if question.match == "command":
            accepted = {self.normalize(question, value) for value in question.accepted}
            correct = given in accepted
        else:
            correct = answers.text_matches(answer, question.accepted)
        assert question.accepted_display is not None  # `parse` sets it for every short answer
        display = question.accepted_display.get(lang)
        return AnswerResult(bool(given) and correct, display, given, display)

    def public(self, question: Question, lang: str) -> dict[str, Any]:
        data = _base(question, lang)
        data["match"] = question.match
        return data


class Ordering(Kind):
    name = "ordering"
    fields = ("items",)

    def parse(self, reader: QuestionReader, raw: YamlMap) -> dict[str, Any] | None:
        items = reader.options(raw, "items", min_items=3)
        return None if items is None else {"items": items}

    def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
        given = _string_list(answer, "item", "항목")
        known = [item.id for item in question.items]
        _require_ids(given, known, "item", "항목")
        if len(given) != len(known):
            raise AnswerFormatError(f"the answer must list all {len(known)} items, "
                                    f"got {len(given)}",
                                    f"{len(known)}개 항목을 모두 순서대로 나열해야 합니다 "
                                    f"({len(given)}개 받음)")
        texts = [item.text.get(lang) for item in question.items]
        return AnswerResult(given == known, texts, given, known)

    def public(self, question: Question, lang: str) -> dict[str, Any]:
        data = _base(question, lang)
        data["items"] = _options_public(_shuffled(question, question.items, "items"), lang)
        return data


class Matching(Kind):
    name = "matching"
    fields = ("pairs", "distractors")

    def parse(self, reader: QuestionReader, raw: YamlMap) -> dict[str, Any] | None:
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
        return {"pairs": tuple(pairs), "distractors": tuple(distractors)}

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
        lefts = [left.id for left, _ in question.pairs]
        rights = [right.id for _, right in question.pairs] + \
            [option.id for option in question.distractors]
        _require_ids(list(answer), lefts, "left", "왼쪽")
        _require_ids(list(answer.values()), rights, "right", "오른쪽")
        missing = [left for left in lefts if left not in answer]
        if missing:
            raise AnswerFormatError(f"the answer must match every left item; missing: "
                                    f"{', '.join(missing)}",
                                    "왼쪽 항목을 모두 짝지어야 합니다 "
                                    f"(빠짐: {', '.join(missing)})")
        expected = {left.id: right.id for left, right in question.pairs}
        display = [f"{left.text.get(lang)} → {right.text.get(lang)}"
                   for left, right in question.pairs]
        normalized = {left: answer[left] for left in lefts}
        return AnswerResult(normalized == expected, display, normalized, expected)

    def public(self, question: Question, lang: str) -> dict[str, Any]:
        data = _base(question, lang)
        data["left"] = _options_public([left for left, _ in question.pairs], lang)
        rights = tuple(right for _, right in question.pairs) + question.distractors
        data["right"] = _options_public(_shuffled(question, rights, "right"), lang)
        return data


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    SingleChoice(), MultipleChoice(), TrueFalse(), ShortAnswer(), Ordering(), Matching())}
