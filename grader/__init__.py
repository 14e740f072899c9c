"""grader: declarative Docker labs graded read-only against a learner's host (no Flask here).

Public API (the web app and the CLI use only these names; keep them stable):

    notes = load_notes("notes/docker-notes.ko.md")   # grader.notes: the sections labs name
    labs = load_labs("labs", sections=notes)  # dict[str, Lab] in learning order; raises
                                            # LabFileError(.problems) on any bad file
    problems = validate_paths(["labs"], sections=notes)  # list[Problem] (file, line, field,
                                            # message); [] = ok. No `sections`: sections are free
    result = grade(labs["mysql-env"], HostSpec("unix:///var/run/docker.sock"), lang="en")
    results = grade_many([...], spec, "ko") # one connection and one snapshot for all labs
    grade(lab, spec, versions=VersionCache())  # a service keeps one cache: known hosts skip /_ping
    result.to_dict()                        # {"lab", "status", "score", "max_score",
                                            #  "duration_ms", "api_calls", "checks": [...]}
    to_junit(results)                       # JUnit XML text;  exit_code(results) -> 0/1/2

`Lab` has `id`, `section` (a section of its content's notes, heading text or anchor as written;
None for external labs whose content has no notes), `title(lang)`, `instructions(lang)`
(Markdown), `checks`, `max_score`, `solution`, `anti_solutions` (each with `fails`: the ids of
the checks that mistake fails).
Statuses are `CheckStatus` (pass, fail, error, skip) and `LabStatus` (passed, failed, error):
str enums, so they compare equal to, and serialise as, their plain text.
A host that cannot be read gives a result with status `error` and the reason, never `fail`;
`HostSpec`/`HostError` come from `grader.hosts`.
"""
from .hosts import HostError, HostSpec, VersionCache
from .loader import LabFileError, load_labs, validate_paths
from .model import CheckStatus, Lab, LabStatus
from .result import CheckResult, LabResult, exit_code, to_junit
from .runner import grade, grade_many
from .yamlsrc import Problem

__all__ = ["CheckResult", "CheckStatus", "HostError", "HostSpec", "Lab", "LabFileError",
           "LabResult", "LabStatus", "Problem", "VersionCache", "exit_code", "grade", "grade_many",
           "load_labs", "to_junit", "validate_paths"]
