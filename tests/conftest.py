import pytest

pytest_plugins = ["tests.support.webapp", "tests.support.browser", "tests.support.docker_engine"]

DOCKER_FIXTURES = {"docker_engine", "lab_images", "make_container", "clean_containers",
                   "extra_engine", "ssh_host", "recording_proxy"}
BROWSER_FIXTURES = {"browser", "page"}


def pytest_collection_modifyitems(items):
    """Mark tests by what they drive, so a run can select e.g. only the database tests."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & DOCKER_FIXTURES:
            item.add_marker(pytest.mark.docker)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
