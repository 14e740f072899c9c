"""A forged own-machine upload: what a learner with no Docker engine at all could write by hand
for a real code, answering the plan's reads with made-up `docker` output (the shapes of the
script's `--format` templates in docklab/labs/own-machine.sh).

Since issue 14 the upload is the only self-reported path, so this is the forge of the security
review (2026-12, finding 2) today: docklab grades whatever the upload says, and nothing stops a
learner from typing it. Hence the marking and the class setting that the tests check."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from grader.secrets import digest


@dataclass
class Made:
    """One made-up container and its image."""

    name: str
    image: str  # the reference it was run with, e.g. "nginx" or "mysql:8.4"
    status: str = "running"
    exit_code: int = 0
    ports: dict[str, int] = field(default_factory=dict)  # "80/tcp" -> host port
    env: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return hashlib.sha256(f"container {self.name}".encode()).hexdigest()

    @property
    def image_id(self) -> str:
        return "sha256:" + hashlib.sha256(f"image {self.image}".encode()).hexdigest()

    def tag(self) -> str:
        return self.image if ":" in self.image else f"{self.image}:latest"

    def ps_row(self) -> dict:
        return {"ID": self.id, "Names": self.name, "Image": self.image, "State": self.status,
                "Labels": ""}

    def inspect(self) -> dict:
        bindings = {port: [{"HostIp": "", "HostPort": str(host)}]
                    for port, host in self.ports.items()}
        running = self.status == "running"
        return {
            "Id": self.id, "Image": self.image_id, "Name": f"/{self.name}", "Path": "run",
            "Args": [], "Mounts": [],
            "State": {"Status": self.status, "Running": running, "ExitCode": self.exit_code,
                      "StartedAt": "2026-12-01T09:00:00Z",
                      "FinishedAt": "0001-01-01T00:00:00Z" if running
                      else "2026-12-01T09:00:01Z"},
            "Config": {"Image": self.image, "Cmd": ["run"], "Entrypoint": None, "Labels": {},
                       "ExposedPorts": {port: {} for port in self.ports}, "Tty": False,
                       "WorkingDir": "", "User": "", "AttachStdin": False,
                       "AttachStdout": not running, "AttachStderr": not running},
            "HostConfig": {"PortBindings": bindings, "PublishAllPorts": False,
                           "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}},
            "NetworkSettings": {"Ports": bindings if running else {}, "Networks": {}}}

    def image_inspect(self) -> dict:
        return {"Id": self.image_id, "RepoTags": [self.tag()],
                "Created": "2026-11-01T00:00:00Z", "Size": 1000, "Os": "linux",
                "RootFS": {"Type": "layers", "Layers": []},
                "Config": {"Cmd": ["run"], "Entrypoint": None, "Labels": None, "User": "",
                           "ExposedPorts": None, "WorkingDir": ""}}


# What passes each lab the forge tests use, typed by hand.
PASSING = {
    "hello-world": [Made("happy_hopper", "hello-world", status="exited")],
    "nginx-port": [Made("myweb", "nginx", ports={"80/tcp": 80})],
    "mysql-env": [Made("mydb", "mysql:8.4", env={"MYSQL_ROOT_PASSWORD": "Passw0rd"})],
}


def _answer(read: list, salt: str, made: list[Made]) -> dict:
    kind, args = read[0], read[1:]
    named = {item.name: item for item in made}
    if kind == "containers":
        return {"exit": 0, "lines": [item.ps_row() for item in made]}
    if kind == "all-containers":
        return {"exit": 0, "lines": [item.inspect() for item in made]
                + [item.image_inspect() for item in made]}
    if kind == "container":
        item = named.get(args[0])
        return ({"exit": 0, "lines": [item.inspect(), item.image_inspect()]} if item
                else {"exit": 1, "lines": []})
    if kind == "env":
        item = named.get(args[0])
        if item is None:
            return {"exit": 1, "lines": []}
        name, var, mode = args
        value = item.env.get(var)
        if value is not None:
            value = digest(salt, var, value) if mode == "hash" else f"{var}={value}"
        return {"exit": 0, "lines": [{"Id": item.id, "Image": item.image_id,
                                      "Container": value, "FromImage": None}]}
    raise AssertionError(f"the forge does not answer a {kind!r} read")


def forged_upload(plan: dict, made: list[Made] | None = None) -> dict:
    """The upload for `plan` (as GET .../plan returns it); by default one that passes its lab."""
    made = PASSING[plan["lab"]] if made is None else made
    return {"version": plan["version"],
            "results": [_answer(read, plan["salt"], made) for read in plan["reads"]]}


def plan_of(client, code: str, headers: dict | None = None) -> dict:
    answer = client.get(f"/api/v1/own-machine/{code}/plan", headers=headers or {})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return json.loads(answer.get_data())


def new_code(client, headers: dict, lab_id: str) -> str:
    answer = client.post(f"/api/v1/labs/{lab_id}/own-machine", headers=headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()["code"]


def upload(client, headers: dict, lab_id: str, made: list[Made] | None = None,
           mutate=None):
    """A fresh code for `lab_id`, its plan, and a forged upload for it (changed by `mutate`,
    when given, before it is sent). Returns the upload's answer."""
    code = new_code(client, headers, lab_id)
    body = forged_upload(plan_of(client, code, headers), made)
    if mutate is not None:
        mutate(body)
    return client.post(f"/api/v1/own-machine/{code}/upload", headers=headers,
                       data=json.dumps(body), content_type="application/json")
