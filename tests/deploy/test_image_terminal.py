"""The image carries xterm.js from its npm build stage (nothing vendored in git) where the app
looks for it, so the terminal page works in production."""
from __future__ import annotations

from tests.support.app_image import build_app_image

CHECK = ("from docklab import create_app; from docklab.sandboxes import terminal; "
         "app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
         "ctx = app.test_request_context(); ctx.push(); "
         "print('available' if terminal.terminal_available() else 'missing'); "
         "c = app.test_client(); print(c.get('/static/vendor/xterm.js').status_code)")


def test_image_serves_xterm_from_node_modules(docker_engine):
    image_id, _ = build_app_image(docker_engine.client)  # cached layers after test_app_image
    output = docker_engine.client.containers.run(
        image_id, entrypoint=["python3", "-c", CHECK], remove=True,
        environment={"DOCKLAB_SECRET_KEY": "x" * 32}).decode()
    assert output.split() == ["available", "200"], output
    listing = docker_engine.client.containers.run(
        image_id, entrypoint=["ls", "/app/node_modules", "/app/node_modules/@xterm"],
        remove=True).decode().split()
    assert listing.count("xterm") == 1 and "addon-fit" in listing, listing
    assert ".bin" not in listing and "npm" not in listing
