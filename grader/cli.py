"""`python -m grader check|list|validate`: the grader from a terminal or CI.

Exit codes of `check`: 0 every lab passed, 1 a check failed, 2 an error (host unreachable,
unknown lab, invalid lab file).

The loader checks lab sections against whatever notes it is given; this is the edge that finds
them: the notes of the content a labs directory belongs to (CONTENT/labs -> CONTENT/notes), so the
built-in labs meet the built-in notes and other content its own notes (or none).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .hosts import HostSpec, default_host_url
from .loader import LABS_DIR, LabFileError, lab_files, load_labs, validate_paths
from .model import Lab
from .notes import Notes, load_notes, notes_in
from .result import LabResult, exit_code, printable, to_junit
from .runner import grade_many

MARKS = {"pass": ("✔", "통과", "pass"), "fail": ("✘", "실패", "FAIL"),
         "error": ("!", "오류", "ERROR"), "skip": ("-", "건너뜀", "skip")}
LAB_WORDS = {"passed": ("통과", "passed"), "failed": ("실패", "failed"),
             "error": ("오류", "error")}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader",
                                     description="Grade Docker labs against a Docker host.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="grade labs against a host")
    check.add_argument("labs", nargs="+", metavar="LAB_ID")
    add_host_options(check)
    check.add_argument("--lang", choices=("ko", "en"), default="ko")
    check.add_argument("--json", action="store_true", help="print the results as JSON")
    check.add_argument("--junit", metavar="FILE", help="also write JUnit XML to FILE")
    check.add_argument("--labs-dir", metavar="DIR", help="read labs from DIR (default: labs/)")
    add_submit_options(check)
    listing = commands.add_parser("list", help="list the labs")
    listing.add_argument("--lang", choices=("ko", "en"), default="ko")
    listing.add_argument("--labs-dir", metavar="DIR")
    validate = commands.add_parser("validate", help="validate lab files (exit 1 on any problem)")
    validate.add_argument("paths", nargs="*", metavar="PATH")
    validate.add_argument("--labs-dir", metavar="DIR",
                          help="validate DIR's labs, their sections against DIR/../notes "
                               "(none there: sections are free)")
    validate.add_argument("--content", metavar="DIR",
                          help="content directory (labs/, notes/); default $DOCKLAB_CONTENT_DIR, "
                               "else the built-in content")
    return parser


def add_host_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="unix:///path, tcp://HOST:PORT or ssh://USER@HOST[:PORT] "
                                       "(default: $DOCKER_HOST, then the local socket; "
                                       "TLS files default to $DOCKER_CERT_PATH when "
                                       "$DOCKER_TLS_VERIFY is set, as docker-machine env sets)")
    parser.add_argument("--tls-ca", metavar="FILE")
    parser.add_argument("--tls-cert", metavar="FILE")
    parser.add_argument("--tls-key", metavar="FILE")
    parser.add_argument("--ssh-key", metavar="FILE")
    parser.add_argument("--ssh-host-key", metavar="LINE", help='pinned "type base64" host key')
    parser.add_argument("--allow-plain-tcp", action="store_true",
                        help="allow tcp:// without TLS (unencrypted)")
    parser.add_argument("--timeout", type=float, default=5.0, metavar="S",
                        help="connect and read timeout in seconds (default 5)")


def add_submit_options(parser: argparse.ArgumentParser) -> None:
    """`--submit URL --token T`: also have docklab grade the labs through the own-machine plan and
    upload (the pasted line's path), stored as self-reported."""
    parser.add_argument("--submit", metavar="URL",
                        help="docklab's address (e.g. https://docklab.example.org): docklab "
                             "grades what the docker CLI reads on this host (the same read-only "
                             "script as the lab page's pasted line; needs sh, docker and curl or "
                             "wget), marked as self-reported")
    parser.add_argument("--token", metavar="T",
                        help="docklab API token for --submit (default: $DOCKLAB_TOKEN)")


def submit_results(args: argparse.Namespace, results: list[LabResult], spec: HostSpec) -> int:
    """0 when docklab stored every lab, else 2 (with the reason on stderr). docklab's own
    summary goes to stderr too, so `--json` output stays pure."""
    from .submit import SubmitError, submit_lab

    failed = False
    for result in results:
        try:
            sent = submit_lab(args.submit, args.token, result.lab, spec, args.lang)
        except SubmitError as exc:
            return _error(str(exc))
        print(sent.terminal.rstrip("\n"), file=sys.stderr)
        if sent.ok:
            print(f"제출됨 / submitted: {result.lab}", file=sys.stderr)
        else:
            failed = True
            print(f"제출하지 못했습니다 / not submitted: {result.lab}", file=sys.stderr)
    return 2 if failed else 0


def _tls_files_from_environment(url: str) -> tuple[str | None, str | None, str | None]:
    """What `eval $(docker-machine env)` sets: DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH holding
    ca.pem, cert.pem and key.pem (the docker CLI reads the same)."""
    if not url.startswith("tcp://") or os.environ.get("DOCKER_TLS_VERIFY", "") in ("", "0"):
        return None, None, None
    folder = Path(os.environ.get("DOCKER_CERT_PATH") or Path.home() / ".docker")
    return str(folder / "ca.pem"), str(folder / "cert.pem"), str(folder / "key.pem")


def host_spec(args: argparse.Namespace) -> HostSpec:
    def read(path: str | None) -> bytes | None:
        return Path(path).read_bytes() if path else None

    url = args.host or default_host_url()
    tls: tuple[str | None, str | None, str | None] = (args.tls_ca, args.tls_cert, args.tls_key)
    if not any(tls):
        tls = _tls_files_from_environment(url)
    return HostSpec(url=url, tls_ca=read(tls[0]), tls_cert=read(tls[1]), tls_key=read(tls[2]),
                    ssh_private_key=read(args.ssh_key), ssh_host_key=args.ssh_host_key,
                    allow_plain_tcp=args.allow_plain_tcp, connect_timeout=args.timeout,
                    read_timeout=args.timeout)


def render(result: LabResult, lang: str) -> str:
    pick = 1 if lang == "ko" else 2
    word = LAB_WORDS[result.status][0 if lang == "ko" else 1]
    points = "점" if lang == "ko" else " points"
    calls = "API 호출" if lang == "ko" else ("API call" if result.api_calls == 1 else "API calls")
    hint_word = "힌트" if lang == "ko" else "hint"
    lines = [f"{result.lab}: {result.title} — {word} ({result.score}/{result.max_score}{points}, "
             f"{result.api_calls} {calls}, {result.duration_ms} ms)"]
    for check in result.checks:
        mark = MARKS[check.status]
        lines.append(f"  {mark[0]} {mark[pick]} {check.id}: {printable(check.message)}")
        if check.status in ("fail", "error") and check.hint:
            lines.append(f"      {hint_word}: {check.hint}")
    return "\n".join(lines)


def _error(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def content_notes(content_dir: str | Path) -> Notes | None:
    """The notes of a content directory (None when it has none: its labs' sections are free)."""
    found = notes_in(content_dir)
    return load_notes(found) if found is not None else None


def notes_for_labs(labs_dir: str | Path | None) -> Notes | None:
    """The notes of the content a labs directory belongs to (DIR/../notes); the built-in labs'
    are the built-in notes."""
    return content_notes(Path(labs_dir or LABS_DIR).resolve().parent)


def _load_labs(labs_dir: str | None) -> dict[str, Lab]:
    return load_labs(labs_dir, sections=notes_for_labs(labs_dir))


def cmd_check(args: argparse.Namespace) -> int:
    try:
        labs = _load_labs(args.labs_dir)
    except LabFileError as exc:
        return _error(str(exc))
    unknown = [lab_id for lab_id in args.labs if lab_id not in labs]
    if unknown:
        known = ", ".join(labs)
        return _error(f"알 수 없는 실습 / unknown lab: {', '.join(unknown)} (labs: {known})")
    try:
        spec = host_spec(args)
    except OSError as exc:
        return _error(f"파일을 읽을 수 없습니다 / cannot read file: {exc}")
    results = grade_many([labs[lab_id] for lab_id in args.labs], spec, args.lang)
    if args.json:
        data = [r.to_dict() for r in results]
        print(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(render(r, args.lang) for r in results))
    if args.junit:
        Path(args.junit).write_text(to_junit(results), encoding="utf-8")
    if getattr(args, "submit", None) and submit_results(args, results, spec):
        return 2
    return exit_code(results)


def cmd_list(args: argparse.Namespace) -> int:
    try:
        labs = _load_labs(args.labs_dir)
    except LabFileError as exc:
        return _error(str(exc))
    width = max((len(lab_id) for lab_id in labs), default=0)
    for lab in labs.values():
        print(f"{lab.id:<{width}}  {lab.title(args.lang)}  [{lab.section or '-'}]")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    content = args.content or os.environ.get("DOCKLAB_CONTENT_DIR") or None
    notes: Notes | None
    paths: list[str | Path]
    if content:  # the configured content: its labs, checked against its own notes (if any)
        notes = content_notes(content)
        paths = args.paths or [args.labs_dir or Path(content) / "labs"]
    elif args.labs_dir:
        notes, paths = notes_for_labs(args.labs_dir), [args.labs_dir, *args.paths]
    else:
        notes, paths = notes_for_labs(LABS_DIR), args.paths or [LABS_DIR]
    if not lab_files(paths):
        print(f"no lab files (*.yaml) in {', '.join(map(str, paths))}", file=sys.stderr)
        return 1
    problems = validate_paths(paths, notes)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("ok")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return {"check": cmd_check, "list": cmd_list, "validate": cmd_validate}[args.command](args)
