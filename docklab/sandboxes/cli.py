"""`flask --app app sandboxes registry [start|stop|status]`, `flask --app app sandboxes seed` and
`flask --app app labs prepare-images` (registered on the labs blueprint's group)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

import docker

from .. import settings
from . import bp, services
from .images import ImageError, lab_images, prepare
from .models import RUNNING_STATES
from .registry import Registry, RegistryError


def app_registry() -> Registry:
    """The registry the current app's settings describe (DOCKLAB_REGISTRY_*)."""
    site = settings.current()
    return Registry(site.registry_dir, site.registry_addr, site.registry_upstream)


@bp.cli.command("registry")
@click.argument("action", type=click.Choice(["start", "stop", "restart", "status"]),
                default="status")
def registry_command(action: str) -> None:
    """Start, stop or show the local image registry the sandboxes pull through."""
    registry = app_registry()
    try:
        if action == "start":
            started = registry.ensure_running()
            click.echo(f"registry: {'started' if started else 'already running'} at "
                       f"{registry.url}, {registry.mode} (data: {registry.data_dir})")
        elif action == "restart":
            registry.restart()
            click.echo(f"registry: restarted at {registry.url} ({registry.mode})")
        elif action == "stop":
            stopped = registry.stop()
            click.echo("registry: stopped" if stopped else "registry: was not running (ours)")
        else:
            for key, value in registry.status().items():
                click.echo(f"{key}: {value if value is not None else '-'}")
            if not registry.healthy():
                raise SystemExit(1)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from exc


def _engine(url: str | None) -> docker.DockerClient:
    if url:
        return docker.DockerClient(base_url=url, timeout=600)
    if os.environ.get("DOCKER_HOST"):
        return docker.from_env(timeout=600)
    return docker.DockerClient(base_url="unix:///var/run/docker.sock", timeout=600)


@click.command("prepare-images")
@click.option("--engine", metavar="URL", help="The Docker engine that builds and pushes "
              "(default: DOCKER_HOST, else the local socket).")
@click.option("--only", multiple=True, metavar="REF",
              help="Only this image (as pulled, e.g. nginx:latest); repeatable.")
@click.option("--force", is_flag=True, help="Build and push even what is up to date.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              help="Where the Debian base tarball is kept (default: DOCKLAB_REGISTRY_DIR/cache).")
@with_appcontext
def prepare_images_command(engine: str | None, only: tuple[str, ...], force: bool,
                           cache: Path | None) -> None:
    """Build the images every lab needs and push them to the local registry (offline use)."""
    registry = app_registry()
    specs = lab_images()
    if only:
        unknown = set(only) - {spec.ref for spec in specs}
        if unknown:
            raise click.ClickException(f"no such lab image: {', '.join(sorted(unknown))} "
                                       f"(known: {', '.join(spec.ref for spec in specs)})")
        specs = [spec for spec in specs if spec.ref in only]
    try:
        client = _engine(engine)
        client.ping()
    except docker.errors.DockerException as exc:
        raise click.ClickException(f"no Docker engine to build with ({engine or 'DOCKER_HOST'}"
                                   f"/local socket): {exc}") from exc
    try:
        with registry.push_address() as address:
            results = prepare(client, address, cache or registry.root / "cache", specs,
                              force=force, log=lambda line: click.echo(f"  {line}"))
    except (RegistryError, ImageError, docker.errors.DockerException) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        client.close()
    pushed = sum(result.status == "pushed" for result in results)
    click.echo(f"prepare-images: {pushed} pushed, {len(results) - pushed} up to date; "
               f"sandboxes pull them from {registry.url}")
    from .services import WORKSTATION_IMAGE

    if any(spec.ref == WORKSTATION_IMAGE for spec in specs):
        _seed(force=False)


def _seed(force: bool) -> None:
    """Make the sandboxes' seed when this server runs sandboxes (never fatal: without a seed a
    first start pulls the workstation image instead)."""
    from . import services

    reason = services.unavailable()
    if reason:
        click.echo(f"seed: none made ({reason})")
        return
    run = services.driver()
    before = run.seed_key()
    started = time.monotonic()
    try:
        key = services.ensure_seed(run, force=force)
    except Exception as problem:  # noqa: BLE001 - reported; starts then pull instead
        click.echo(f"seed: could not be made ({problem}); first starts pull the workstation")
        return
    if key is None:
        click.echo(f"seed: none made (the registry has no {services.WORKSTATION_IMAGE})")
    elif key == before and not force:
        click.echo(f"seed: up to date ({key})")
    else:
        click.echo(f"seed: made in {time.monotonic() - started:.1f} s ({key})")


@bp.cli.command("seed")
@click.option("--force", is_flag=True, help="Make it again even when it is up to date.")
def seed_command(force: bool) -> None:
    """Make the seed new sandboxes start from: the workstation image, pulled once in a template
    sandbox (done by prepare-images too, and by the first start that finds it missing)."""
    _seed(force)


@bp.cli.command("reap")
def reap_command() -> None:
    """Stop idle sandboxes, pause those over their disk budget, stop engines left by a crash."""
    reason = services.unavailable()
    if reason:
        click.echo(f"sandboxes: {reason}")
        return
    done = services.reap()
    click.echo(", ".join(f"{key.replace('_', ' ')} {value}" for key, value in done.items()))


@bp.cli.command("list")
def list_command() -> None:
    """Every sandbox: learner, slot, state, memory, processes, disk."""
    for row in services.all_sandboxes():
        line = f"user {row.user_id:>5}  slot {row.slot:>3}  {row.state:<8}"
        if row.state in RUNNING_STATES:
            use = services.driver().usage(row.slot)
            line += (f"  {use.memory_bytes >> 20} MB  {use.processes} processes  "
                     f"{use.disk_bytes >> 20} MB on disk")
        click.echo(line + (f"  ({row.message})" if row.message else ""))


@bp.cli.command("stop")
@click.argument("user_id", type=int)
def stop_command(user_id: int) -> None:
    """Stop one learner's sandbox (its data stays)."""
    try:
        services.stop(user_id)
    except services.NoSandbox as missing:
        raise click.ClickException(f"user {user_id} has no sandbox") from missing
    click.echo(f"stopped the sandbox of user {user_id}")
