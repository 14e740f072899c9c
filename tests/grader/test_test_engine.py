"""The test engine itself: the lab images behave like the ones the notes pull from Docker Hub."""
import urllib.request

import pytest


def test_hello_world_prints_a_greeting_and_exits_0(docker_engine, lab_images):
    output = docker_engine.client.containers.run("hello-world", remove=True)
    assert b"Hello from Docker!" in output


def test_mysql_without_a_password_exits_1_like_the_real_one(make_container):
    container = make_container("mysql:5.6", name="mysql-no-password", state="created")
    container.start()
    assert container.wait(timeout=15)["StatusCode"] == 1
    assert b"password option is not specified" in container.logs()


def test_nginx_serves_on_the_published_port(make_container, docker_engine):
    container = make_container("nginx:latest", ports={"80/tcp": None})
    binding = container.attrs["NetworkSettings"]["Ports"]["80/tcp"][0]
    url = f"http://{binding['HostIp']}:{binding['HostPort']}/"
    for _ in range(50):
        try:
            page = urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 - loopback
            break
        except OSError:
            import time

            time.sleep(0.1)
    assert b"Welcome to nginx" in page


def test_whalesay_builds_the_fortune_dockerfile_offline(docker_engine, lab_images):
    import io

    dockerfile = (b"FROM docker/whalesay:latest\n"
                  b"RUN apt-get -y update && apt-get install -y fortune\n"
                  b'CMD ["sh", "-c", "/usr/games/fortune | cowsay"]\n')
    image, _logs = docker_engine.client.images.build(fileobj=io.BytesIO(dockerfile),
                                                     tag="docklab-test/fortune:latest", rm=True)
    try:
        output = docker_engine.client.containers.run(image.id, remove=True)
        assert b"Alan Kay" in output
    finally:
        docker_engine.client.images.remove(image.id, force=True)


@pytest.mark.parametrize("state", ["running", "exited", "created", "paused"])
def test_make_container_reaches_the_state(make_container, state):
    container = make_container("mysql:5.6", environment={"MYSQL_ROOT_PASSWORD": "x"}, state=state)
    assert container.status == state
