import importlib.util

pytest_plugins = ["tests.support.webapp", "tests.support.browser"]
# TEMP (lead): until helper B's file lands
if importlib.util.find_spec("tests.support.docker_engine"):
    pytest_plugins.append("tests.support.docker_engine")
