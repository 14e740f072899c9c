"""Quiz content as data: the notes, the question bank, its validator and the answer checker.

Pure Python (no Flask): the web app, the CLI and the tests all call these::

    from docklab.content import check_answer, kind_of, load_bank, load_notes, public_dict, validate

    problems = validate()            # [Problem(file, line, field, message)] (grader.yamlsrc's,
                                     # shared with labs); str() = "file:line: field: message"
    bank = load_bank()               # raises ContentError(problems) on invalid content
    question = bank["lab-mysql-run-command"]
    public_dict(question, "ko")      # for GET /questions/<id>: never contains the answer
    result = check_answer(question, "docker run -d --name=mydb ...", lang="ko")
    result.correct, result.correct_answer, result.normalized_answer   # AnswerFormatError -> 400
    kind_of(question)                # its type: from_form, describe, wrong_pick_labels, template

Question files (``quizzes/*.yaml``) hold a list of questions::

    - id: kebab-case-unique-id
      section: 도커 실행하기          # heading text, or an anchor for repeated headings
      type: single                 # single | multi | truefalse | short | ordering | matching
      difficulty: 1                # 1-3
      tags: [cli]                  # `retired`: about a retired tool (out of the review queue
                                   # unless the learner includes them)
      prompt: {ko: ..., en: ...}
      explanation: {ko: ..., en: ...}
      # single/multi: choices: [{id, ko, en}, ...]; answer: id (single) or [ids] (multi);
      #               shuffle: false keeps the written order
      # truefalse:    answer: true | false
      # short:        match: command | text (default); accepted: [commands] for command,
      #               {ko: [...], en: [...]} for text (first = shown); synonyms: [more accepted]
      # ordering:     items: [{id, ko, en}, ...] in the correct order (>= 3)
      # matching:     pairs: [{left: {id, ko, en}, right: {id, ko, en}}, ...] (>= 3);
      #               distractors: [{id, ko, en}] right-hand options with no partner, shuffled
      #               in among the rights; ids and texts differ from every right side

Each type is one class in ``kinds.py``, which owns its fields above, its answer shape, the web
form, the words an answer is shown in and its class statistics; the docstring there names the
class, the template and the translations a new type writes, and nothing else. Command/text
comparison rules are in ``answers.py``.
"""
from __future__ import annotations

from .answers import commands_equal, normalize_command, normalize_text, texts_equal
from .kinds import KINDS, FormData, GradedAnswer, Kind, describe_answer, kind_of, public_dict
from .model import (
    RETIRED_TAG,
    AnswerFormatError,
    AnswerResult,
    ContentError,
    NoAnswer,
    Option,
    Problem,
    Question,
    Text,
)
from .notes import DEFAULT_NOTES_PATH, Notes, Section, load_notes, parse_notes, slugify
from .quizzes import (
    DEFAULT_QUIZZES_DIR,
    QuestionBank,
    check_answer,
    load_bank,
    read_questions,
    validate,
)

QUESTION_TYPES = tuple(KINDS)  # the built-in types, in the order kinds.py defines them

__all__ = [
    "DEFAULT_NOTES_PATH", "DEFAULT_QUIZZES_DIR", "KINDS", "QUESTION_TYPES", "RETIRED_TAG",
    "AnswerFormatError", "AnswerResult", "ContentError", "FormData", "GradedAnswer", "Kind",
    "NoAnswer", "Notes", "Option", "Problem", "Question", "QuestionBank", "Section", "Text",
    "check_answer", "commands_equal", "describe_answer", "kind_of", "load_bank", "load_notes",
    "normalize_command", "normalize_text", "parse_notes", "public_dict", "read_questions",
    "slugify", "texts_equal", "validate",
]
