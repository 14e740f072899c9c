"""Grading benchmark: `mysql-env` and `fortune-image` on one engine, in one run, warm, in process.

Starts its own private dockerd (tests/support/dockerd.py; root), builds the lab images, sets up the
passing state (container `mydb`, image `docker-whale` built from the lab's reference Dockerfile)
among some other containers, then times, round-robin in the same run:

  grader     grader.grade_many([mysql-env, fortune-image], HostSpec(socket)): connect, negotiate
             the API version, one snapshot, every check
  raw-sdk    (a) the docker SDK calls the checks strictly need, written by hand: inspect `mydb`
             and its image, inspect `docker-whale` and its base, both histories (the exact "built
             on" verdict the grader gives; fresh client, pinned API version, no /version)
  raw-layers the same, but judging "built on the base" by layers alone (one history call less;
             wrong for bases that add no layer of their own): shown for information
  verify.sh  (b) benchmarks/verify.sh: the same checks the way lab platforms write them,
             `docker inspect -f ...` per check with /usr/bin/docker
  testinfra  (c) pytest-testinfra's docker module (`host.docker("mydb").is_running`, ...), with
             `docker image inspect` / `docker history` through `host.check_output` for the images

Every approach must reach the same verdicts (checked before timing, on the passing state and on a
wrong-password state). Prints the median and p90 per approach, the HTTP requests each makes
(counted once through a recording proxy), and the ratios. Targets: grader within 1.5x of raw-sdk,
at least 5x faster than verify.sh and testinfra.

    sudo .venv/bin/python benchmarks/grade_bench.py [--runs 30] [--noise 20]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import docker  # noqa: E402
from grader import HostSpec, VersionCache, grade_many, imageref, load_labs  # noqa: E402
from tests.support.docker_engine import start_private_engine  # noqa: E402
from tests.support.images import ensure_lab_images  # noqa: E402
from tests.support.proxy import RecordingProxy  # noqa: E402

DOCKER_CLI = "/usr/bin/docker"  # /usr/local/bin/docker on these machines is an unrelated client
ONE_RUN = re.compile(r"apt-get\s+(-y\s+)?update\s*&&\s*apt-get\s+(-y\s+)?install\s+(-y\s+)?"
                     r"fortune")
CHECKS = ("mysql-env/exists", "mysql-env/running", "mysql-env/image", "mysql-env/root-password",
          "mysql-env/detached", "fortune-image/built", "fortune-image/based-on-whalesay",
          "fortune-image/one-run", "fortune-image/cmd-fortune")

VERIFY_SH = Path(__file__).resolve().parent / "verify.sh"
ATTACHED = ("AttachStdin", "AttachStdout", "AttachStderr")  # all false when started with -d


# --- the four ways to check ----------------------------------------------------------------------
# As the web app grades: one process, one cache of negotiated API versions.
VERSIONS = VersionCache()


def by_grader(labs, url: str) -> dict[str, bool]:
    results = grade_many(labs, HostSpec(url), versions=VERSIONS)
    return {f"{r.lab}/{c.id}": c.status == "pass" for r in results for c in r.checks}


def by_raw_sdk(url: str, exact_base: bool = True) -> dict[str, bool]:
    verdict = dict.fromkeys(CHECKS, False)
    with docker.APIClient(base_url=url, version="1.41", timeout=5) as api:
        api.trust_env = False
        try:
            mydb = api.inspect_container("mydb")
        except docker.errors.NotFound:
            mydb = None
        if mydb:
            verdict["mysql-env/exists"] = True
            verdict["mysql-env/running"] = mydb["State"]["Status"] == "running"
            verdict["mysql-env/image"] = imageref.same(mydb["Config"]["Image"], "mysql:5.6")
            wanted = "MYSQL_ROOT_PASSWORD=Passw0rd"
            image_env = api.inspect_image(mydb["Image"])["Config"].get("Env") or []
            verdict["mysql-env/root-password"] = verdict["mysql-env/running"] and (
                wanted in (mydb["Config"].get("Env") or []) and wanted not in image_env)
            verdict["mysql-env/detached"] = verdict["mysql-env/running"] and not any(
                mydb["Config"].get(stream) for stream in ATTACHED)
        try:
            whale = api.inspect_image("docker-whale:latest")
        except docker.errors.NotFound:
            return verdict
        verdict["fortune-image/built"] = True
        whalesay = api.inspect_image("docker/whalesay:latest")
        base = whalesay["RootFS"]["Layers"]
        layers = whale["RootFS"]["Layers"]
        history = api.history(whale["Id"])
        based = len(layers) > len(base) and layers[: len(base)] == base
        if based and exact_base:
            # Layers alone pass an image built on the base's parent when the base adds no layer
            # of its own (ENV/CMD only); the grader also compares the build steps, as here.
            theirs = [(h.get("Created"), h.get("CreatedBy")) for h in api.history(whalesay["Id"])]
            mine = [(h.get("Created"), h.get("CreatedBy")) for h in history]
            based = len(mine) > len(theirs) and mine[len(mine) - len(theirs):] == theirs
        verdict["fortune-image/based-on-whalesay"] = based
        if based:
            verdict["fortune-image/one-run"] = any(
                ONE_RUN.search(step.get("CreatedBy") or "") and "#(nop)" not in step["CreatedBy"]
                for step in history)
            verdict["fortune-image/cmd-fortune"] = "fortune" in " ".join(
                whale["Config"].get("Cmd") or [])
    return verdict


def by_verify_sh(script: Path, env: dict) -> dict[str, bool]:
    output = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env,
                            check=False).stdout  # exits 1 when a check failed
    return {line.split()[1]: line.startswith("PASS") for line in output.splitlines()}


def by_testinfra(host) -> dict[str, bool]:
    verdict = dict.fromkeys(CHECKS, False)
    mydb = host.docker("mydb")
    try:
        exists = bool(mydb.id)
    except AssertionError:  # testinfra's check_output: `docker inspect` failed
        exists = False
    if exists:
        verdict["mysql-env/exists"] = True
        verdict["mysql-env/running"] = mydb.is_running
        verdict["mysql-env/image"] = imageref.same(mydb.inspect()["Config"]["Image"], "mysql:5.6")
        config = mydb.inspect()["Config"]
        image = json.loads(host.check_output("docker image inspect %s", mydb.inspect()["Image"]))
        wanted = "MYSQL_ROOT_PASSWORD=Passw0rd"
        verdict["mysql-env/root-password"] = verdict["mysql-env/running"] and (
            wanted in config["Env"] and wanted not in (image[0]["Config"].get("Env") or []))
        verdict["mysql-env/detached"] = verdict["mysql-env/running"] and not any(
            mydb.inspect()["Config"].get(stream) for stream in ATTACHED)
    whale = host.run("docker image inspect docker-whale:latest")
    if whale.rc != 0:
        return verdict
    verdict["fortune-image/built"] = True
    layers = json.loads(whale.stdout)[0]["RootFS"]["Layers"]
    base = json.loads(host.check_output("docker image inspect docker/whalesay:latest"))[0][
        "RootFS"]["Layers"]
    based = len(layers) > len(base) and layers[: len(base)] == base
    verdict["fortune-image/based-on-whalesay"] = based
    if based:
        history = host.check_output(
            "docker history --no-trunc --format '{{.CreatedBy}}' docker-whale:latest")
        verdict["fortune-image/one-run"] = any(ONE_RUN.search(line) and "#(nop)" not in line
                                               for line in history.splitlines())
        cmd = json.loads(host.check_output(
            "docker image inspect -f '{{json .Config.Cmd}}' docker-whale:latest"))
        verdict["fortune-image/cmd-fortune"] = "fortune" in " ".join(cmd or [])
    return verdict


# --- the host ------------------------------------------------------------------------------------
def set_up_host(client: docker.DockerClient, labs, noise: int) -> None:
    ensure_lab_images(client)
    solution = labs[1].solution
    client.images.build(fileobj=_bytes(solution.dockerfile), tag=solution.build_tag, rm=True)
    for index in range(noise):  # a learner's host has other things on it
        client.containers.create("hello-world:latest", name=f"other-{index}")
    start_mydb(client, "Passw0rd")


def start_mydb(client: docker.DockerClient, password: str) -> None:
    for old in client.containers.list(all=True, filters={"name": "^/mydb$"}):
        old.remove(force=True)
    client.containers.run("mysql:5.6", name="mydb", detach=True,
                          environment={"MYSQL_ROOT_PASSWORD": password})


def _bytes(text: str):
    import io

    return io.BytesIO(text.encode())


def timed(function, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed rounds per approach")
    parser.add_argument("--noise", type=int, default=20, help="other containers on the host")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("grade_bench starts its own dockerd: run it as root.", file=sys.stderr)
        return 2
    all_labs = load_labs()
    labs = [all_labs["mysql-env"], all_labs["fortune-image"]]

    import testinfra

    print("starting a private dockerd and building the lab images ...", flush=True)
    daemon = start_private_engine()
    config_dir = Path(tempfile.mkdtemp(prefix="dl-bench-"))
    try:
        client = daemon.client(timeout=60)
        set_up_host(client, labs, args.noise)
        engine_version = client.version()["Version"]
        url = daemon.socket_url
        script = VERIFY_SH
        cli_env = {"PATH": f"{Path(DOCKER_CLI).parent}:/bin", "HOME": str(config_dir),
                   "DOCKER_CONFIG": str(config_dir), "DOCKER_HOST": url}
        # testinfra runs `docker` through the shell of this process.
        os.environ.update(cli_env)
        host = testinfra.get_host("local://")
        approaches = {
            "grader": lambda u=url: by_grader(labs, u),
            "raw-sdk": lambda u=url: by_raw_sdk(u),
            "raw-layers": lambda u=url: by_raw_sdk(u, exact_base=False),
            "verify.sh": lambda: by_verify_sh(script, cli_env),
            "testinfra": lambda: by_testinfra(host),
        }

        # Same verdicts everywhere, on a passing host and on a near miss.
        for state, password in (("passing", "Passw0rd"), ("wrong password", "password")):
            start_mydb(client, password)
            time.sleep(0.2)
            verdicts = {name: run() for name, run in approaches.items()}
            for name, verdict in verdicts.items():
                assert verdict == verdicts["grader"], (state, name, verdict, verdicts["grader"])
            expected_all = password == "Passw0rd"
            assert all(verdicts["grader"].values()) == expected_all, (state, verdicts["grader"])
        start_mydb(client, "Passw0rd")
        time.sleep(0.2)

        # HTTP requests each approach sends to the engine, counted once through a proxy.
        proxy = RecordingProxy(url)
        requests = {}
        try:
            proxied_env = {**cli_env, "DOCKER_HOST": proxy.url}
            os.environ["DOCKER_HOST"] = proxy.url
            for name, run in {"grader": lambda: by_grader(labs, proxy.url),
                              "raw-sdk": lambda: by_raw_sdk(proxy.url),
                              "raw-layers": lambda: by_raw_sdk(proxy.url, exact_base=False),
                              "verify.sh": lambda: by_verify_sh(script, proxied_env),
                              "testinfra": lambda: by_testinfra(host)}.items():
                proxy.clear()
                assert all(run().values()), name
                requests[name] = len(proxy.requests)
        finally:
            os.environ["DOCKER_HOST"] = url
            proxy.close()

        for run in approaches.values():  # warm-up
            run()
        samples = {name: [] for name in approaches}
        for _ in range(args.runs):  # round-robin, so drift hits every approach alike
            for name, run in approaches.items():
                samples[name] += timed(run, 1)
    finally:
        daemon.stop()
        import shutil

        shutil.rmtree(config_dir, ignore_errors=True)

    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"\nmysql-env + fortune-image, {len(CHECKS)} checks, {args.noise + 1} containers on the "
          f"host, {args.runs} warm runs each (dockerd {engine_version})\n")
    print(f"{'approach':<11} {'median ms':>10} {'p90 ms':>8} {'HTTP requests':>14}")
    for name, values in samples.items():
        print(f"{name:<11} {medians[name]:>10.2f} {p90(values):>8.2f} {requests[name]:>14}")
    grader = medians["grader"]
    print()
    print(f"grader / raw-sdk      = {grader / medians['raw-sdk']:.2f}x   (target <= 1.5x)")
    print(f"grader / raw-layers   = {grader / medians['raw-layers']:.2f}x   (for information: a "
          "layers-only base check, which passes images built on the base's parent)")
    print(f"verify.sh / grader    = {medians['verify.sh'] / grader:.1f}x   (target >= 5x)")
    print(f"testinfra / grader    = {medians['testinfra'] / grader:.1f}x   (target >= 5x)")
    ok = (grader <= 1.5 * medians["raw-sdk"] and medians["verify.sh"] >= 5 * grader
          and medians["testinfra"] >= 5 * grader)
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
