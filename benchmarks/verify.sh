#!/bin/bash
# mysql-env and fortune-image checked the way lab platforms' verify.sh scripts do it: one
# `docker inspect -f ...` (a new docker process and connection) per check. Baseline (b) of
# grade_bench.py, written carefully: exact names (not `docker ps | grep mydb`, which also matches
# mydb2), the run-time -e told apart from the image's ENV, and a real exit status.
# Prints "PASS lab/check" or "FAIL lab/check" per check; exits 1 when any failed.
DOCKER=${DOCKER:-/usr/bin/docker}  # /usr/local/bin/docker on these machines is another client
failed=0
check() {  # check NAME COMMAND...: runs COMMAND, prints PASS/FAIL NAME
  name=$1; shift
  if "$@" >/dev/null 2>&1; then echo "PASS $name"; else echo "FAIL $name"; failed=1; fi
}

# mysql-env
check mysql-env/exists test "$($DOCKER inspect -f '{{.Name}}' mydb 2>/dev/null)" = /mydb
running() { test "$($DOCKER inspect -f '{{.State.Status}}' mydb)" = running; }
check mysql-env/running running
image_is_mysql_5_6() {
  case "$($DOCKER inspect -f '{{.Config.Image}}' mydb)" in
    mysql:5.6|docker.io/library/mysql:5.6) true ;;
    *) false ;;
  esac
}
check mysql-env/image image_is_mysql_5_6
password_given_at_run_time() {
  wanted='MYSQL_ROOT_PASSWORD=Passw0rd'
  running || return 1
  $DOCKER inspect -f '{{range .Config.Env}}{{println .}}{{end}}' mydb | grep -qx "$wanted" \
    || return 1
  image=$($DOCKER inspect -f '{{.Image}}' mydb)
  ! $DOCKER image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$image" \
    | grep -qx "$wanted"
}
check mysql-env/root-password password_given_at_run_time
detached() {  # started with -d: no stream attached
  running || return 1
  test "$($DOCKER inspect -f '{{.Config.AttachStdin}}{{.Config.AttachStdout}}{{.Config.AttachStderr}}' mydb)" \
    = falsefalsefalse
}
check mysql-env/detached detached

# fortune-image
check fortune-image/built $DOCKER image inspect -f '{{.Id}}' docker-whale:latest
layers() { $DOCKER image inspect -f '{{range .RootFS.Layers}}{{.}} {{end}}' "$1"; }
based_on_whalesay() {
  mine=$(layers docker-whale:latest) && base=$(layers docker/whalesay:latest) || return 1
  [ -n "$base" ] && [ "$mine" != "$base" ] && [ "${mine#"$base"}" != "$mine" ]
}
check fortune-image/based-on-whalesay based_on_whalesay
one_run() {
  based_on_whalesay || return 1
  $DOCKER history --no-trunc --format '{{.CreatedBy}}' docker-whale:latest | grep -v '#(nop)' \
    | grep -Eq 'apt-get\s+(-y\s+)?update\s*&&\s*apt-get\s+(-y\s+)?install\s+(-y\s+)?fortune'
}
check fortune-image/one-run one_run
cmd_runs_fortune() {
  based_on_whalesay || return 1
  $DOCKER image inspect -f '{{json .Config.Cmd}}' docker-whale:latest | grep -q fortune
}
check fortune-image/cmd-fortune cmd_runs_fortune

exit $failed
