"""A question type is one class: a type defined here, with its one template and its own texts,
is read from a question file, shown, answered on the page and through the API, described in the
feedback and counted in the class statistics, without a line changed anywhere else.

And every registered type has its template; a type name cannot be taken twice."""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select

from docklab.config import REPO_ROOT
from docklab.content import (
    KINDS,
    AnswerFormatError,
    AnswerResult,
    Kind,
    NoAnswer,
    Question,
    Text,
    load_bank,
    validate,
)
from docklab.content.kinds import SingleChoice
from docklab.content.schema import QuestionReader
from docklab.extensions import db
from docklab.instructor.stats import AnswerRow, question_stats
from docklab.quiz import services
from docklab.quiz.models import QuizAnswer
from grader.yamlsrc import YamlMap
from tests.support.webapp import AuthActions, bearer, create_user, make_app
from tests.web.quiz.quiz_answers import csrf_from

QUESTION_ID = "throwaway-agree"
NOTES = REPO_ROOT / "notes" / "docker-notes.ko.md"
TEMPLATES = Path(__file__).resolve().parents[3] / "docklab" / "quiz" / "templates"
WORDS = {"agree": Text("동의함", "Agreed"), "disagree": Text("동의하지 않음", "Not agreed")}
SAY_SOMETHING = Text("동의하는지 먼저 고르세요.", "Say whether you agree first.")

# What the type writes besides its class: one template (here handed to the app's loader
# instead of a file under docklab/quiz/templates/quiz/kinds/). No `_()` strings: its texts come
# from the class, so it needs no catalog entry either.
AGREE_TEMPLATE = """{% from "quiz/kinds/_macros.html" import checked with context %}
      <ol class="choices agree">
      {% for option in public.options %}
        <li><label class="choice">
          <input type="radio" name="answer" value="{{ option.id }}"
                 data-key="{{ loop.index }}"{{ checked(option.id) }}> {{ option.text }}
        </label></li>
      {% endfor %}
      </ol>
"""

QUESTION_FILE = """\
- id: throwaway-agree
  section: Docker는 무엇인가?
  type: agree
  difficulty: 1
  tags: [cli]
  prompt:
    ko: 도커는 컨테이너를 실행한다.
    en: Docker runs containers.
  explanation:
    ko: 컨테이너를 실행하는 것이 도커의 일입니다.
    en: Running containers is what Docker does.
  agreed: agree
"""


@dataclass(frozen=True)
class AgreeParts:
    agreed: str  # "agree" or "disagree": the right answer


def define_agree_kind() -> type[Kind[AgreeParts]]:
    """A throwaway type: agree or disagree with a statement. Defining it registers it."""

    class Agree(Kind[AgreeParts]):
        name = "agree"
        fields = ("agreed",)
        number_keys = True

        def parse(self, reader: QuestionReader, raw: YamlMap) -> AgreeParts | None:
            agreed = reader.string(raw, "agreed")
            if agreed is None:
                return None
            if agreed not in WORDS:
                reader.report(raw.line_of("agreed"),
                              f"field 'agreed' must be agree or disagree, not '{agreed}'")
                return None
            return AgreeParts(agreed)

        def check(self, question: Question, answer: object, lang: str) -> AnswerResult:
            if answer not in WORDS:
                raise AnswerFormatError("the answer must be agree or disagree",
                                        "답은 agree 또는 disagree여야 합니다")
            right = self.parts(question).agreed
            return AnswerResult(answer == right, WORDS[right].get(lang), answer, right)

        def public(self, question: Question, lang: str) -> dict:
            data = super().public(question, lang)
            data["options"] = [{"id": key, "text": text.get(lang)} for key, text in WORDS.items()]
            return data

        def from_form(self, question: Question, form) -> object:
            value = form.get("answer") or ""
            if not value:
                raise NoAnswer(SAY_SOMETHING)
            return value

        def describe(self, question: Question, given: object, lang: str) -> list[str]:
            return [WORDS[given].get(lang) if given in WORDS else str(given)]

    return Agree


@pytest.fixture
def agree_kind():
    kind = define_agree_kind()
    try:
        yield kind
    finally:
        KINDS.pop("agree", None)


@pytest.fixture
def agree_app(agree_kind, database_url, tmp_path):
    """The app on the real content plus one question file of the new type."""
    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "quizzes", content / "quizzes")
    (content / "notes").mkdir()
    shutil.copy(NOTES, content / "notes")
    (content / "quizzes" / "zz-agree.yaml").write_text(QUESTION_FILE, encoding="utf-8")
    app = make_app(database_url, DOCKLAB_CONTENT_DIR=str(content))
    app.instance_path = str(tmp_path / "instance")
    app.jinja_env.loader = ChoiceLoader([DictLoader({"quiz/kinds/agree.html": AGREE_TEMPLATE}),
                                         app.jinja_env.loader])
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_type_defined_in_one_class_is_read_shown_answered_described_and_counted(agree_app):
    app = agree_app
    client = app.test_client()
    uid = create_user(app, "learner")
    AuthActions(client).login("learner")
    with app.app_context():
        question = services.question(QUESTION_ID)
        assert question is not None and question.parts == AgreeParts("agree")
        run_id = services.start_run(uid, "mixed", "practice", [QUESTION_ID]).id

    # the page draws the type's template inside the answer form, and its keyboard help
    page = client.get(f"/quiz/runs/{run_id}").get_data(as_text=True)
    form = re.search(r'<form [^>]*id="answer-form"[^>]*>(.*?)</form>', page, re.S)
    assert form and 'data-type="agree"' in form.group(0)
    assert re.findall(r'name="answer" value="(\w+)"', form.group(1)) == ["agree", "disagree"]
    assert "동의하지 않음" in form.group(1)
    assert "숫자 키로 보기를 고르고" in page  # number_keys

    # nothing picked: the type's own message, in Korean, and the page again
    posted = {"csrf_token": csrf_from(page), "question_id": QUESTION_ID}
    empty = client.post(f"/quiz/runs/{run_id}/answer", data=posted)
    assert empty.status_code == 422 and SAY_SOMETHING.ko in empty.get_data(as_text=True)

    # a wrong answer: stored as the type's JSON shape, the feedback says it in words
    response = client.post(f"/quiz/runs/{run_id}/answer", data=dict(posted, answer="disagree"))
    assert response.status_code == 302 and "/feedback/0" in response.location
    feedback = client.get(response.location).get_data(as_text=True)
    assert "아쉽게도 틀렸습니다." in feedback
    assert "<li>동의하지 않음</li>" in feedback and "<li>동의함</li>" in feedback
    assert "컨테이너를 실행하는 것이 도커의 일입니다." in feedback
    with app.app_context():
        stored = db.session.scalars(select(QuizAnswer)).all()
        assert [(a.question_id, a.answer, a.correct) for a in stored] == \
            [(QUESTION_ID, "disagree", False)]

    # the API shows it without its answer, grades it and names a bad shape
    token = bearer(app, uid)
    shown = client.get(f"/api/v1/questions/{QUESTION_ID}?lang=en", headers=token).get_json()
    assert shown["type"] == "agree" and "agreed" not in shown
    assert shown["options"] == [{"id": "agree", "text": "Agreed"},
                                {"id": "disagree", "text": "Not agreed"}]
    graded = client.post(f"/api/v1/questions/{QUESTION_ID}/answer", headers=token,
                         json={"answer": "agree"}).get_json()
    assert graded["correct"] is True and graded["correct_answer"] == "동의함"
    bad = client.post(f"/api/v1/questions/{QUESTION_ID}/answer", headers=token,
                      json={"answer": "maybe"})
    assert bad.status_code == 400
    assert "답은 agree 또는 disagree여야 합니다" in json.dumps(bad.get_json(), ensure_ascii=False)

    # the class statistics count the wrong pick in the type's words (Kind's default labels)
    with app.app_context():
        rows = [AnswerRow(a.id, a.user_id, a.question_id, a.answer, a.correct, a.answered_at)
                for a in db.session.scalars(select(QuizAnswer).order_by(QuizAnswer.id))]
    with app.test_request_context("/"):
        stats = [stat for section in question_stats(rows, "ko") for stat in section.questions]
    mine = next(stat for stat in stats if stat.question_id == QUESTION_ID)
    assert mine.attempts == 2
    assert [(pick.label, pick.count, pick.share) for pick in mine.wrong_picks] == \
        [("동의하지 않음", 1, 50)]


def test_a_file_of_the_new_type_is_validated_by_its_class(agree_kind, tmp_path):
    """Its fields are known to the validator, its problems named with file and line; and once
    unregistered, the type is unknown again."""
    file = tmp_path / "agree.yaml"
    file.write_text(QUESTION_FILE, encoding="utf-8")
    assert [q.id for q in load_bank([file], NOTES, check_coverage=False)] == [QUESTION_ID]
    file.write_text(QUESTION_FILE.replace("agreed: agree", "agreed: maybe\n  agread: x"),
                    encoding="utf-8")
    assert [str(problem) for problem in validate([file], NOTES, check_coverage=False)] == [
        f"{file}:13: question 'throwaway-agree': unknown field 'agread' "
        "(did you mean 'agreed'?)",
        f"{file}:12: question 'throwaway-agree': field 'agreed' must be agree or disagree, "
        "not 'maybe'"]
    KINDS.pop("agree")
    file.write_text(QUESTION_FILE, encoding="utf-8")
    problems = [str(problem) for problem in validate([file], NOTES, check_coverage=False)]
    assert f"{file}:3: question 'throwaway-agree': field 'type' must be one of matching, " \
        "multi, ordering, short, single, truefalse, not 'agree'" in problems, problems


def test_every_registered_type_has_its_template():
    assert set(KINDS) >= {"single", "multi", "truefalse", "short", "ordering", "matching"}
    for name, kind in KINDS.items():
        assert kind.template == f"quiz/kinds/{name}.html"
        assert (TEMPLATES / kind.template).is_file(), f"{name}: no {kind.template}"


def test_a_type_name_cannot_be_taken_twice():
    with pytest.raises(TypeError, match="question type 'single' is registered twice"):
        class AnotherSingle(SingleChoice):
            name = "single"
    assert type(KINDS["single"]) is SingleChoice
