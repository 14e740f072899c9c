"""Compare free-text answers the way the learner means them.

Two kinds of short answers:

* ``command``: a shell command line. Two commands are equal when a shell and the Docker CLI
  treat them the same: extra spaces and quoting do not matter (``'Passw0rd'`` = ``"Passw0rd"``),
  long and short flags are aliases (``-d`` = ``--detach``, ``--name x`` = ``--name=x``), short
  flags may be combined (``-aq`` = ``-a -q``), options form an unordered set, while positional
  words keep their order. ``docker run``/``create``/``exec`` stop reading options at the image
  (or container): what follows is the container's own command, so ``docker run nginx -d`` is
  *not* ``docker run -d nginx``. Management-command spellings are folded (``docker container ls``
  = ``docker ps``), and image names compare the way Docker resolves them (``nginx`` =
  ``nginx:latest`` = ``docker.io/library/nginx``). A flag docklab does not know makes that
  command compare literally (token by token), so an unknown option can never make two different
  commands look equal.
* ``text``: words. Compared after Unicode NFC normalisation, case folding and whitespace folding.
  Spaces touching Hangul are dropped, since Korean spacing of compound terms is optional
  (``베이스 이미지`` = ``베이스이미지``). Never a substring match.

Everything here is pure Python: the web app and the validator both call it.
"""
from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from grader import imageref

# ---------------------------------------------------------------------------------------------
# Flag tables. Each entry: (short or None, long, takes_value). Only flags listed here are
# reordered/aliased; anything else makes the command compare literally.
# ---------------------------------------------------------------------------------------------
V, B = True, False

_RUN_FLAGS = [
    ("-a", "--attach", V), ("-d", "--detach", B), ("-e", "--env", V), (None, "--env-file", V),
    ("-i", "--interactive", B), ("-t", "--tty", B), ("-p", "--publish", V),
    ("-P", "--publish-all", B), (None, "--name", V), (None, "--rm", B), ("-v", "--volume", V),
    (None, "--mount", V), ("-w", "--workdir", V), ("-u", "--user", V), ("-h", "--hostname", V),
    (None, "--restart", V), (None, "--network", V), ("-l", "--label", V),
    (None, "--entrypoint", V), ("-m", "--memory", V), (None, "--cpus", V),
    ("-c", "--cpu-shares", V), (None, "--platform", V), (None, "--pull", V),
    (None, "--privileged", B), (None, "--init", B), (None, "--expose", V), (None, "--link", V),
    (None, "--add-host", V), (None, "--dns", V), (None, "--cap-add", V), (None, "--cap-drop", V),
    (None, "--read-only", B), (None, "--tmpfs", V), (None, "--log-driver", V),
    (None, "--log-opt", V), (None, "--health-cmd", V), (None, "--device", V), (None, "--gpus", V),
    (None, "--ulimit", V), (None, "--shm-size", V), (None, "--ip", V), (None, "--sig-proxy", B),
    (None, "--stop-signal", V), (None, "--stop-timeout", V), (None, "--security-opt", V),
    (None, "--pid", V), (None, "--ipc", V), (None, "--group-add", V),
    (None, "--volumes-from", V), ("-q", "--quiet", B), (None, "--memory-swap", V),
]
_EXEC_FLAGS = [
    ("-d", "--detach", B), ("-e", "--env", V), (None, "--env-file", V),
    ("-i", "--interactive", B), ("-t", "--tty", B), ("-u", "--user", V), ("-w", "--workdir", V),
    (None, "--privileged", B),
]
_FORMAT = [("-f", "--format", V)]
_PRUNE = [("-f", "--force", B), (None, "--filter", V)]

_DOCKER_COMMANDS: dict[tuple[str, ...], list[Any]] = {
    ("run",): _RUN_FLAGS,
    ("create",): _RUN_FLAGS,
    ("exec",): _EXEC_FLAGS,
    ("ps",): [("-a", "--all", B), ("-q", "--quiet", B), ("-l", "--latest", B),
              ("-n", "--last", V), ("-s", "--size", B), ("-f", "--filter", V),
              (None, "--format", V), (None, "--no-trunc", B)],
    ("images",): [("-a", "--all", B), ("-q", "--quiet", B), ("-f", "--filter", V),
                  (None, "--format", V), (None, "--no-trunc", B), (None, "--digests", B)],
    ("rm",): [("-f", "--force", B), ("-v", "--volumes", B), ("-l", "--link", B)],
    ("rmi",): [("-f", "--force", B), (None, "--no-prune", B)],
    ("build",): [("-t", "--tag", V), ("-f", "--file", V), (None, "--build-arg", V),
                 (None, "--no-cache", B), ("-q", "--quiet", B), (None, "--pull", B),
                 (None, "--target", V), (None, "--platform", V), (None, "--label", V),
                 (None, "--network", V), (None, "--progress", V), (None, "--rm", B),
                 (None, "--force-rm", B), (None, "--iidfile", V), (None, "--cache-from", V),
                 (None, "--load", B), (None, "--push", B), ("-o", "--output", V)],
    ("pull",): [("-a", "--all-tags", B), ("-q", "--quiet", B), (None, "--platform", V),
                (None, "--disable-content-trust", B)],
    ("push",): [("-a", "--all-tags", B), ("-q", "--quiet", B), (None, "--platform", V),
                (None, "--disable-content-trust", B)],
    ("search",): [("-f", "--filter", V), (None, "--limit", V), (None, "--no-trunc", B),
                  (None, "--format", V)],
    ("history",): [("-H", "--human", B), ("-q", "--quiet", B), (None, "--no-trunc", B),
                   (None, "--format", V), (None, "--platform", V)],
    ("info",): _FORMAT,
    ("version",): _FORMAT,
    ("start",): [("-a", "--attach", B), ("-i", "--interactive", B)],
    ("stop",): [("-t", "--time", V), ("-s", "--signal", V)],
    ("restart",): [("-t", "--time", V), ("-s", "--signal", V)],
    ("kill",): [("-s", "--signal", V)],
    ("logs",): [("-f", "--follow", B), ("-t", "--timestamps", B), ("-n", "--tail", V),
                (None, "--since", V), (None, "--until", V), (None, "--details", B)],
    ("inspect",): [("-f", "--format", V), ("-s", "--size", B), (None, "--type", V)],
    ("port",): [],
    ("tag",): [],
    ("top",): [],
    ("pause",): [],
    ("unpause",): [],
    ("login",): [("-u", "--username", V), ("-p", "--password", V),
                 (None, "--password-stdin", B)],
    ("logout",): [],
    ("commit",): [("-a", "--author", V), ("-c", "--change", V), ("-m", "--message", V),
                  ("-p", "--pause", B)],
    ("stats",): [("-a", "--all", B), (None, "--no-stream", B), (None, "--format", V),
                 (None, "--no-trunc", B)],
    ("container", "prune"): _PRUNE,
    ("image", "prune"): [*_PRUNE, ("-a", "--all", B)],
    ("system", "prune"): [*_PRUNE, ("-a", "--all", B), (None, "--volumes", B)],
    ("system", "df"): [("-v", "--verbose", B), (None, "--format", V)],
    ("context", "ls"): [("-q", "--quiet", B), (None, "--format", V)],
    ("context", "use"): [],
    ("context", "create"): [(None, "--docker", V), (None, "--description", V),
                            (None, "--from", V)],
    ("swarm", "init"): [(None, "--advertise-addr", V)],
}

# Long spellings of the same command (management commands) fold to the classic one.
_COMMAND_ALIASES: dict[tuple[str, ...], tuple[str, ...]] = {
    **{("container", verb): (verb,) for verb in (
        "run", "create", "exec", "start", "stop", "restart", "kill", "logs", "port", "top",
        "pause", "unpause", "commit", "stats", "rename", "attach", "wait", "cp", "diff",
        "export", "update")},
    ("container", "ls"): ("ps",), ("container", "list"): ("ps",), ("container", "ps"): ("ps",),
    ("container", "rm"): ("rm",), ("container", "remove"): ("rm",),
    ("image", "ls"): ("images",), ("image", "list"): ("images",),
    ("image", "rm"): ("rmi",), ("image", "remove"): ("rmi",),
    **{("image", verb): (verb,) for verb in (
        "pull", "push", "build", "history", "tag", "import", "save", "load")},
    ("system", "info"): ("info",),
    # `docker inspect` looks up any object; the management forms only narrow the type
    ("container", "inspect"): ("inspect",), ("image", "inspect"): ("inspect",),
    ("builder", "build"): ("build",),
    # `docker build` has been an alias of `docker buildx build` since Engine 23
    ("buildx", "build"): ("build",), ("buildx", "b"): ("build",),
}
_MANAGEMENT = {"container", "image", "system", "builder", "network", "volume", "context",
               "swarm", "service", "node", "stack", "secret", "config", "plugin", "trust",
               "manifest", "buildx", "compose"}
# These stop parsing options at the first positional word (the image or container):
# everything after it belongs to the process inside the container.
_NOT_INTERSPERSED = {("run",), ("create",), ("exec",)}

_DOCKER_GLOBAL = [
    ("-H", "--host", V), ("-c", "--context", V), ("-D", "--debug", B), ("-l", "--log-level", V),
    (None, "--config", V), (None, "--tls", B), (None, "--tlsverify", B),
    (None, "--tlscacert", V), (None, "--tlscert", V), (None, "--tlskey", V),
    ("-v", "--version", B),
]
_MACHINE_COMMANDS: dict[tuple[str, ...], list[Any]] = {
    ("create",): [("-d", "--driver", V), (None, "--virtualbox-memory", V),
                  (None, "--virtualbox-cpu-count", V)],
    ("env",): [(None, "--shell", V), ("-u", "--unset", B)],
    **{(verb,): [] for verb in ("ls", "ssh", "ip", "start", "stop", "restart", "url",
                                "config", "status", "inspect")},
    ("rm",): [("-f", "--force", B), ("-y", None, B)],
}
_MACHINE_GLOBAL = [("-D", "--debug", B), ("-s", "--storage-path", V)]

_TRUE = {"true", "1", "t", "TRUE", "True", "T"}
_FALSE = {"false", "0", "f", "FALSE", "False", "F"}


_Command = tuple[str, ...]  # ("run",), ("image", "ls")
_Flags = dict[str, tuple[str, bool]]  # spelling -> (canonical spelling, takes a value)
_Options = list[tuple[str, str | None]]  # (canonical spelling, value or None for a switch)


@dataclass(frozen=True)
class _Program:
    global_flags: _Flags
    commands: dict[_Command, _Flags]
    aliases: dict[_Command, _Command]
    management: frozenset[str]
    image_positions: dict[_Command, str]  # command -> "first" | "all"
    image_flags: frozenset[str]  # long flags whose value is an image reference


def _table(entries: list[Any]) -> _Flags:
    table: _Flags = {}
    for short, long, takes_value in entries:
        canonical = long or short
        for spelling in (short, long):
            if spelling:
                table[spelling] = (canonical, takes_value)
    return table


_PROGRAMS = {
    "docker": _Program(
        global_flags=_table(_DOCKER_GLOBAL),
        commands={cmd: _table(flags) for cmd, flags in _DOCKER_COMMANDS.items()},
        aliases=_COMMAND_ALIASES,
        management=frozenset(_MANAGEMENT),
        image_positions={("run",): "first", ("create",): "first", ("pull",): "all",
                          ("push",): "all", ("history",): "all", ("tag",): "all",
                          ("rmi",): "all"},
        image_flags=frozenset({"--tag"}),
    ),
    "docker-machine": _Program(
        global_flags=_table(_MACHINE_GLOBAL),
        commands={cmd: _table(flags) for cmd, flags in _MACHINE_COMMANDS.items()},
        aliases={}, management=frozenset(), image_positions={}, image_flags=frozenset(),
    ),
}
# '--net' is Docker's older spelling of '--network'.
_PROGRAMS["docker"].commands[("run",)]["--net"] = ("--network", True)
_PROGRAMS["docker"].commands[("create",)]["--net"] = ("--network", True)

# ---------------------------------------------------------------------------------------------
# Tokenising: quotes, operators (&&, ||, |, ;) and $(...) command substitution.
# ---------------------------------------------------------------------------------------------
_PH_OPEN, _PH_CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_PH_OPEN}(\\d+){_PH_CLOSE}")
_OPERATOR = re.compile(r"^[|&;]+$")
_ODD_SPACES = dict.fromkeys(map(ord, "\u00a0\u3000\u2002\u2003\u2009\t\r\n\f\v"), " ")


class _Unparseable(ValueError):
    pass


@dataclass
class CommandParse:
    """The canonical spelling of a command line, and what (if anything) kept it literal."""

    canonical: str
    issues: list[str] = field(default_factory=list)


def _extract_substitutions(text: str) -> tuple[str, list[str], set[int]]:
    """Replace each top-level $(...) or `...` with a placeholder; return the inner texts and
    which of them sat inside double quotes. The shell splits an unquoted substitution into
    words, while ``"$(docker ps -aq)"`` stays ONE argument (all IDs with newlines in it)."""
    out: list[str] = []
    inner: list[str] = []
    quoted: set[int] = set()
    i, quote = 0, None
    while i < len(text):
        char = text[i]
        if quote == "'":
            out.append(char)
            if char == "'":
                quote = None
            i += 1
            continue
        if char == "\\" and i + 1 < len(text):
            out.append(text[i:i + 2])
            i += 2
            continue
        if char in "'\"" and (quote is None or quote == char):
            quote = None if quote == char else char
            out.append(char)
            i += 1
            continue
        if text.startswith("$(", i):
            end = _matching_paren(text, i + 2)
            inner.append(text[i + 2:end])
            if quote == '"':
                quoted.add(len(inner) - 1)
            out.append(f"{_PH_OPEN}{len(inner) - 1}{_PH_CLOSE}")
            i = end + 1
            continue
        if char == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise _Unparseable("unclosed backquote")
            inner.append(text[i + 1:end])
            if quote == '"':
                quoted.add(len(inner) - 1)
            out.append(f"{_PH_OPEN}{len(inner) - 1}{_PH_CLOSE}")
            i = end + 1
            continue
        out.append(char)
        i += 1
    return "".join(out), inner, quoted


def _matching_paren(text: str, start: int) -> int:
    depth, i, quote = 1, start, None
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"':
                i += 1
        elif char in "'\"":
            quote = char
        elif char == "\\":
            i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise _Unparseable("unclosed $(")


def _split_words(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars="|&;")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as err:  # "No closing quotation", "No escaped character"
        raise _Unparseable(str(err)) from err


# ---------------------------------------------------------------------------------------------
# Normalising one simple command (the words between operators).
# ---------------------------------------------------------------------------------------------
def normalize_image_ref(ref: str) -> str:
    """`nginx`, `nginx:latest`, `docker.io/library/nginx:latest` -> `nginx:latest`: the grader's
    reading of image references (grader/imageref.py), in the short form people type. An image ID,
    a `$(...)` word or anything Docker would not accept as a reference is left as written."""
    if not ref or imageref.looks_like_id(ref) or _PH_OPEN in ref:
        return ref
    try:
        return imageref.parse(ref).familiar()
    except ValueError:
        return ref


def _normalize_simple(words: list[str], issues: list[str]) -> list[str]:
    while words and words[0] == "$":  # a pasted shell prompt
        words = words[1:]
    if len(words) > 1 and words[0] == "sudo" and words[1] in _PROGRAMS:
        # Linux users outside the `docker` group type `sudo docker ...`: the same command.
        words = words[1:]
    if not words or words[0] not in _PROGRAMS:
        return words
    program = _PROGRAMS[words[0]]
    literal = list(words)
    rest = words[1:]

    global_opts, rest, ok = _parse_options(rest, program.global_flags, interspersed=False,
                                           stop_at_positional=True, issues=issues)
    if not ok:
        return literal
    if not rest:
        return [words[0], *_render_options(global_opts)]
    command: _Command = (rest[0],)
    rest = rest[1:]
    if command[0] in program.management and rest:
        command, rest = (command[0], rest[0]), rest[1:]
    command = program.aliases.get(command, command)
    flags = program.commands.get(command)
    if flags is None:
        issues.append(f"docklab does not know the command '{' '.join(command)}'")
        return literal
    options, positionals, ok = _parse_options(
        rest, flags, interspersed=command not in _NOT_INTERSPERSED, stop_at_positional=False,
        issues=issues)
    if not ok:
        return literal
    options = [(name, _normalize_value(program, name, value)) for name, value in options]
    positionals = _normalize_positionals(program, command, positionals)
    if program is _PROGRAMS["docker"]:
        options, positionals = _drop_defaults(command, options, positionals)
    return [words[0], *_render_options(global_opts), *command, *_render_options(options),
            *positionals]


def _parse_options(words: list[str], flags: _Flags, *, interspersed: bool,
                   stop_at_positional: bool, issues: list[str]) -> tuple[_Options, list[str], bool]:
    """Returns (options, positionals, ok). ok=False means: compare this command literally."""
    options: _Options = []
    positionals: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            positionals.extend(words[i + 1:])
            break
        if word.startswith("--") and len(word) > 2:
            name, eq, value = word.partition("=")
            spec = flags.get(name)
            if spec is None:
                issues.append(f"unknown option '{name}'")
                return options, positionals, False
            canonical, takes_value = spec
            if takes_value and not eq:
                if i + 1 >= len(words):
                    issues.append(f"option '{name}' needs a value")
                    return options, positionals, False
                value = words[i + 1]
                i += 1
            if not _add_option(options, canonical, takes_value, value if (eq or takes_value)
                               else None, issues):
                return options, positionals, False
            i += 1
            continue
        if word.startswith("-") and len(word) > 1 and not word.startswith("--"):
            j = 1
            while j < len(word):
                spec = flags.get("-" + word[j])
                if spec is None:
                    issues.append(f"unknown option '-{word[j]}'")
                    return options, positionals, False
                canonical, takes_value = spec
                if takes_value:
                    value = word[j + 1:]
                    if value.startswith("="):
                        value = value[1:]
                    elif not value:
                        if i + 1 >= len(words):
                            issues.append(f"option '-{word[j]}' needs a value")
                            return options, positionals, False
                        value = words[i + 1]
                        i += 1
                    options.append((canonical, value))
                    break
                if j + 1 < len(word) and word[j + 1] == "=":  # -d=true
                    if not _add_option(options, canonical, False, word[j + 2:], issues):
                        return options, positionals, False
                    break
                options.append((canonical, None))
                j += 1
            i += 1
            continue
        if stop_at_positional:
            return options, words[i:], True
        if not interspersed:
            positionals.extend(words[i:])
            break
        positionals.append(word)
        i += 1
    return options, positionals, True


def _add_option(options: _Options, canonical: str, takes_value: bool, value: str | None,
                issues: list[str]) -> bool:
    if takes_value:
        options.append((canonical, value))
        return True
    if value is None or value in _TRUE:
        options.append((canonical, None))
        return True
    if value in _FALSE:  # --detach=false is the same as leaving it out
        return True
    issues.append(f"option '{canonical}' is a switch, got value '{value}'")
    return False


def _normalize_value(program: _Program, name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if name in program.image_flags:
        return normalize_image_ref(value)
    if name == "--publish":
        if value.endswith("/tcp"):
            value = value[: -len("/tcp")]  # tcp is the default protocol
        if value.startswith("0.0.0.0:") and value.count(":") == 2:
            # every IPv4 address: what `-p 80:80` means to a learner (it adds IPv6 `[::]`
            # too, a difference no quiz question asks about)
            value = value[len("0.0.0.0:"):]
        return value
    if name == "--docker":
        return _DEFAULT_SSH_PORT.sub(r"\1", value)  # 22 is ssh's default port
    return value


_SHELLS = {"bash", "sh", "ash", "dash", "zsh"}
_SHELL_PATH = re.compile(r"^/(?:usr/)?(?:local/)?bin/([a-z]+)$")
_DEFAULT_SSH_PORT = re.compile(r"(ssh://[^,/:@]+(?:@[^,/:]+)?):22(?=$|[,/])")


def _drop_defaults(command: _Command, options: _Options,
                   positionals: list[str]) -> tuple[_Options, list[str]]:
    """Spellings that only restate a default: `-f Dockerfile` with context `.`, `./` for `.`,
    `history -H` (on by default), `/bin/bash` for `bash` as the container's program."""
    if command == ("build",):
        positionals = ["." if word in ("./", ".//") else word for word in positionals]
        if positionals == ["."]:
            options = [(name, value) for name, value in options
                       if not (name == "--file" and value in ("Dockerfile", "./Dockerfile"))]
    elif command == ("history",):
        options = [(name, value) for name, value in options if name != "--human"]
    if command in (("run",), ("create",), ("exec",)) and len(positionals) > 1:
        match = _SHELL_PATH.match(positionals[1])
        if match and match.group(1) in _SHELLS:
            positionals = [positionals[0], match.group(1), *positionals[2:]]
    return options, positionals


def _normalize_positionals(program: _Program, command: _Command,
                           positionals: list[str]) -> list[str]:
    where = program.image_positions.get(command)
    if where == "first" and positionals:
        return [normalize_image_ref(positionals[0]), *positionals[1:]]
    if where == "all":
        return [normalize_image_ref(word) for word in positionals]
    return positionals


def _render_options(options: _Options) -> list[str]:
    # Options are a set for the CLI: sort them. Repeated options (-e A -e B) stay, sorted.
    rendered = []
    for name, value in sorted(options, key=lambda item: (item[0], item[1] or "")):
        rendered.append(name if value is None else f"{name}={value}")
    return rendered


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------
def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace(_PH_OPEN, "").replace(_PH_CLOSE, "")
    text = text.replace("\\\r\n", " ").replace("\\\n", " ")  # line continuations
    text = text.translate(_ODD_SPACES).strip()
    return _strip_markdown_code(text)


def _strip_markdown_code(text: str) -> str:
    """Learners often paste `docker ps` with Markdown backquotes; a whole-line substitution is
    never what they mean."""
    for fence in ("```", "`"):
        if len(text) > 2 * len(fence) and text.startswith(fence) and text.endswith(fence):
            inner = text[len(fence):-len(fence)]
            if "`" not in inner:
                return inner.strip()
    return text


def parse_command(text: str) -> CommandParse:
    """Canonical form of a command line (see the module docstring) plus any issues found."""
    prepared = _prepare(text)
    issues: list[str] = []
    try:
        canonical = _canonical(prepared, issues)
    except _Unparseable as err:
        literal = " ".join(prepared.split())
        return CommandParse(literal, [f"cannot be read as a shell command: {err}"])
    return CommandParse(canonical, issues)


def _canonical(text: str, issues: list[str]) -> str:
    skeleton, inner_texts, quoted = _extract_substitutions(text)
    inners = [_canonical(inner.strip(), issues) for inner in inner_texts]
    words = _split_words(skeleton)
    segments: list[list[str]] = [[]]
    operators: list[str] = []
    for word in words:
        if _OPERATOR.match(word):
            operators.append(word)
            segments.append([])
        else:
            segments[-1].append(word)
    rendered = []
    for seg in segments:
        words = _normalize_simple(seg, issues)
        # eval joins its arguments again, so quoting its substitution changes nothing
        keep_quotes = quoted if not (words and words[0] == "eval") else set()
        rendered.append(" ".join(_render_word(word, inners, keep_quotes) for word in words))
    while operators and operators[-1] == ";" and not rendered[-1]:  # `docker ps;`
        operators.pop()
        rendered.pop()
    parts: list[str] = []
    for index, segment in enumerate(rendered):
        parts.append(segment)
        if index < len(operators):
            parts.append(operators[index])
    return " ".join(part for part in parts if part)


def _render_word(word: str, inners: list[str], quoted: AbstractSet[int] = frozenset()) -> str:
    if _PH_OPEN not in word:
        return shlex.quote(word)
    pieces = []
    position = 0
    for match in _PLACEHOLDER.finditer(word):
        if match.start() > position:
            pieces.append(shlex.quote(word[position:match.start()]))
        index = int(match.group(1))
        substitution = f"$({inners[index]})"
        pieces.append(f'"{substitution}"' if index in quoted else substitution)
        position = match.end()
    if position < len(word):
        pieces.append(shlex.quote(word[position:]))
    return "".join(pieces)


def normalize_command(text: str) -> str:
    return parse_command(text).canonical


def commands_equal(given: str, expected: str) -> bool:
    return normalize_command(given) == normalize_command(expected)


_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"
_SPACE_NEAR_HANGUL = re.compile(f"(?<=[{_HANGUL}]) | (?=[{_HANGUL}])")
_EDGE_PUNCTUATION = ".。!?！？"
_QUOTE_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」"}


def normalize_text(text: str) -> str:
    """NFC, case-folded, whitespace folded; spaces touching Hangul dropped; wrapping quotes and a
    final full stop removed."""
    previous = None
    while text != previous:  # peel layers ("`베이스 이미지.`") until nothing changes
        previous = text
        text = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
        text = _strip_markdown_code(" ".join(text.split()))
        text = text.rstrip(_EDGE_PUNCTUATION).strip()
        if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
            text = text[1:-1].strip()
        text = _SPACE_NEAR_HANGUL.sub("", text)
    return text


# Korean learners often answer with a copula or a polite ending: "runc입니다", "베이스 이미지예요".
_KOREAN_ENDINGS = ("입니다", "이에요", "예요", "이요", "요")
_ENGLISH_ARTICLE = re.compile(r"^(?:the|a|an) (?=\S)")
_TERM_AND_ABBREVIATION = re.compile(r"^(?P<term>.+?) ?\((?P<other>[^()]+)\)$")


def _without_korean_ending(text: str) -> str:
    for ending in _KOREAN_ENDINGS:
        if text.endswith(ending) and len(text) > len(ending) + 1:
            return text[: -len(ending)]
    return text


def _text_forms(text: str) -> set[str]:
    """The normalised text and the spellings that mean the same answer: without a Korean
    ending, without a leading English article, in the singular."""
    base = normalize_text(text)
    forms = {base, _without_korean_ending(base)}
    for form in list(forms):
        bare = _ENGLISH_ARTICLE.sub("", form)
        forms.add(bare)
        if re.fullmatch(r"[a-z0-9 .-]*[a-z]s", bare) and not bare.endswith("ss"):
            forms.add(bare[:-1])  # "base images" -> "base image"
    return {form for form in forms if form}


def text_matches(given: str, accepted: Iterable[str]) -> bool:
    """Whether a text answer is one of the accepted ones. Also accepted: "term (other name)"
    when BOTH parts are accepted, e.g. "Virtual Machine Monitor (VMM)", "베이스 이미지(base image)".
    Never a substring match."""
    targets: set[str] = set()
    for value in accepted:
        targets |= _text_forms(value)
    if _text_forms(given) & targets:
        return True
    both = _TERM_AND_ABBREVIATION.match(normalize_text(given))
    if both is None:
        both = _TERM_AND_ABBREVIATION.match(_without_korean_ending(normalize_text(given)))
    if both is None:
        return False
    return bool(_text_forms(both["term"]) & targets) and bool(_text_forms(both["other"]) & targets)


def texts_equal(given: str, expected: str) -> bool:
    return text_matches(given, [expected])
