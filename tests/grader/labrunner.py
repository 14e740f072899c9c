"""Runs a lab's reference solution or anti-solution with the real docker CLI on the test engine.

No registry is reachable (and no traffic may leave loopback), so `docker pull X` is played
locally: a no-op when X is present, a re-tag when another tag of X's repository is present, and a
failed pull otherwise. `docker run`/`create` get `--pull=never` for the same reason. Whatever a case
tags, removes or builds is undone afterwards (and the volumes and networks it made), so the next
case starts from the lab images. A lab's `setup:` files and directories are made in the case's
work directory first; `{workdir}` in a command is that directory.
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import docker
from grader import imageref
from tests.support.images import ensure_lab_images

DOCKER_CLI = "/usr/bin/docker"  # /usr/local/bin/docker is an unrelated client
PULL = re.compile(r"^docker\s+(?:image\s+)?pull\s+(\S+)\s*$")
RUN_OR_CREATE = re.compile(r"^docker\s+(?:container\s+)?(run|create)\s")


class LabRunner:
    def __init__(self, engine) -> None:
        self.engine = engine
        self.client: docker.DockerClient = engine.client
        self.log: list[str] = []
        assert Path(DOCKER_CLI).exists(), f"{DOCKER_CLI} is missing (apt-get install docker.io)"
        self.env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": tempfile.gettempdir(),
                    "DOCKER_HOST": engine.base_url, "DOCKER_BUILDKIT": "0",
                    "DOCKER_CONFIG": tempfile.mkdtemp(prefix="dl-cli-")}
        self._tags_before = self._tags()
        self._volumes_before = {v.name for v in self.client.volumes.list()}
        self._networks_before = {n.id for n in self.client.networks.list()}
        self._temp_dirs = [Path(self.env["DOCKER_CONFIG"])]

    def _tags(self) -> set[str]:
        return {tag for image in self.client.images.list() for tag in image.tags}

    def play(self, case, setup=()) -> Path:
        """Make `setup` (a lab's `setup_for(case)`), build the case's Dockerfile (when given),
        then run its commands in order; returns the work directory."""
        workdir = Path(tempfile.mkdtemp(prefix="dl-case-"))
        self._temp_dirs.append(workdir)
        make_setup(workdir, setup)
        if case.dockerfile:
            (workdir / "Dockerfile").write_text(case.dockerfile)
            self._shell(f"docker build -t {shlex.quote(case.build_tag)} .", workdir)
        for command in case.commands:
            command = command.replace("{workdir}", shlex.quote(str(workdir)))
            pulled = PULL.match(command)
            if pulled:
                self._pull(pulled.group(1))
                continue
            if RUN_OR_CREATE.match(command):
                command = RUN_OR_CREATE.sub(lambda m: m.group(0) + "--pull=never ", command, 1)
            self._shell(command, workdir)
        if any(RUN_OR_CREATE.match(c) for c in case.commands):
            time.sleep(0.5)  # let a container that dies at start (mysql without -e) settle
        return workdir

    def _shell(self, command: str, workdir: Path) -> None:
        # PATH puts /usr/bin first, so `docker` (also inside `$(...)`) is DOCKER_CLI;
        # `timeout` guards against a command that would attach forever.
        done = subprocess.run(["timeout", "60", "sh", "-c", command], cwd=workdir, env=self.env,
                              capture_output=True, text=True)
        self.log.append(f"$ {command}\n[{done.returncode}] {done.stdout}{done.stderr}")

    def _pull(self, reference: str) -> None:
        wanted = imageref.normalize(reference)
        present = {imageref.normalize(tag): tag for tag in self._tags()}
        if wanted in present:
            self.log.append(f"$ docker pull {reference}\n(present locally)")
            return
        sibling = next((tag for norm, tag in present.items()
                        if imageref.same_repository(norm, wanted)), None)
        if sibling is None:
            self.log.append(f"$ docker pull {reference}\n(pull access denied: no registry)")
            return
        ref = imageref.parse(wanted)
        repository = imageref.familiar(f"{ref.registry}/{ref.repository}").rsplit(":", 1)[0]
        self.client.images.get(sibling).tag(repository, ref.tag)
        self.log.append(f"$ docker pull {reference}\n(re-tagged {sibling})")

    def restore(self) -> None:
        """Remove the case's containers and the tags it added; rebuild any lab image it removed."""
        for container in self.client.containers.list(all=True):
            container.remove(force=True)
        for tag in self._tags() - self._tags_before:
            try:
                self.client.images.remove(tag, noprune=False)
            except docker.errors.APIError:
                pass
        for network in self.client.networks.list():
            if network.id not in self._networks_before:
                network.remove()
        for volume in self.client.volumes.list():
            if volume.name not in self._volumes_before:
                volume.remove(force=True)
        for image in self.client.images.list(filters={"dangling": True}):
            try:
                self.client.images.remove(image.id)
            except docker.errors.APIError:
                pass
        ensure_lab_images(self.client)
        for directory in self._temp_dirs:
            shutil.rmtree(directory, ignore_errors=True)

    def transcript(self) -> str:
        return "\n".join(self.log)



def make_setup(workdir: Path, items) -> None:
    """A lab's `setup:`: directories and files, relative to the work directory."""
    root = workdir.resolve()
    for item in items:
        target = (root / item.path).resolve()
        assert target.is_relative_to(root), f"setup path {item.path} leaves the work directory"
        if item.content is None:
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.content, encoding="utf-8")
