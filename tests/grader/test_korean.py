"""Korean particles picked from the word they follow (grader/korean.py), so grader messages read
`mydb`를 and `nginx`가 rather than the `을(를)`/`이(가)` fallbacks (issue 15)."""
from __future__ import annotations

import pytest

from grader.korean import josa, josa_code, particle


@pytest.mark.parametrize(("word", "pair", "expected"), [
    ("컨테이너", "이/가", "컨테이너가"),       # Hangul, no final consonant
    ("볼륨", "이/가", "볼륨이"),              # Hangul, final consonant
    ("파일", "으로/로", "파일로"),            # final ㄹ takes 로
    ("이미지", "은/는", "이미지는"),
    ("3", "으로/로", "3으로"),                # 삼
    ("1", "으로/로", "1로"),                  # 일: ㄹ
    ("2", "이/가", "2가"),                    # 이
    ("10", "을/를", "10을"),                  # 십
    ("nginx", "이/가", "nginx가"),            # 엔진엑스
    ("mysql", "을/를", "mysql을"),            # 마이에스큐엘
    ("mysql", "으로/로", "mysql로"),
    ("myweb", "은/는", "myweb은"),            # 마이웹
    ("appnet", "이/가", "appnet이"),          # 앱넷
    ("hello-world", "을/를", "hello-world를"),
    ("ENTRYPOINT", "이/가", "ENTRYPOINT가"),  # 엔트리포인트
    ("CMD", "이/가", "CMD가"),                # 씨엠디
    ("ENV", "이/가", "ENV가"),                # 엔브 (v is read without a final)
])
def test_particle_follows_the_reading(word, pair, expected):
    assert josa(word, pair) == expected


def test_code_word_keeps_backticks_and_takes_the_particle_of_its_text():
    assert josa_code("mydb", "을/를") == "`mydb`를"
    assert josa_code("docker/whalesay:latest", "을/를") == "`docker/whalesay:latest`를"


def test_unclear_reading_keeps_both_forms():
    assert particle("`/site/?$`", "과/와") == "과(와)"
    assert josa("hub", "이/가") == "hub이(가)"
