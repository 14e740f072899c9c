"""Property tests: Docker's reference rules hold for generated names, and garbage never crashes."""
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import imageref

# No dots: a first component with a dot is a registry host, as Docker splits names.
component = st.from_regex(r"[a-z0-9]{1,8}([_-][a-z0-9]{1,6}){0,2}", fullmatch=True)
tag = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
repository = st.lists(component, min_size=1, max_size=3).map("/".join)


@given(repository, tag)
def test_normalised_names_denote_the_same_image(repo, version):
    short = f"{repo}:{version}"
    full = imageref.normalize(short)
    assert imageref.same(short, full)
    assert imageref.normalize(full) == full  # idempotent
    assert full.startswith("docker.io/")
    if "/" not in repo:
        assert full == f"docker.io/library/{repo}:{version}"


@given(repository, tag, tag)
def test_different_tags_are_different_images(repo, first, second):
    assert imageref.same(f"{repo}:{first}", f"{repo}:{second}") == (first == second)


@given(repository)
def test_no_tag_means_latest(repo):
    assert imageref.same(repo, f"{repo}:latest")
    assert imageref.familiar(imageref.normalize(repo)) == imageref.familiar(f"{repo}:latest")


@settings(max_examples=300)
@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused_cleanly(text):
    try:
        parsed = imageref.parse(text)
    except ValueError:
        return
    assert parsed.repository
