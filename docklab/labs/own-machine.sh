#!/bin/sh
# docklab — check a lab on your own computer.  도커 실습을 내 컴퓨터에서 확인합니다.
#
# You got here with `curl -fsSL SERVER/c/CODE | sh`: that page is this very text with two lines
# on top, DOCKLAB_SERVER and DOCKLAB_CODE (a single-use code for one lab, which expires).
#
# What it does, and nothing else:
#   1. checks that `docker` runs and can reach its engine;
#   2. fetches the lab's plan (JSON) from the server: the names of the containers and images
#      the lab's checks look at, and nothing to execute;
#   3. for those names only, runs `docker version`, `docker ps -a`, `docker inspect`,
#      `docker image inspect` and `docker history`, each with a --format template written
#      BELOW (the server cannot change them), so only the fields a check reads are printed;
#   4. uploads that output; the server grades it and the result is shown here.
# Environment values leave your computer only for a variable a check names, and a secret one
# (a password, a token) only as a salted SHA-256 hash.  Needs: docker, curl or wget, sh.
set -u
set -f  # words from the plan are never globbed

: "${DOCKLAB_SERVER:?run the command shown on the lab page (DOCKLAB_SERVER is not set)}"
: "${DOCKLAB_CODE:?run the command shown on the lab page (DOCKLAB_CODE is not set)}"
PLAN_VERSION=1
API="$DOCKLAB_SERVER/api/v1/own-machine/$DOCKLAB_CODE"

say() { printf '%s\n' "$@" >&2; }
# stop with a message in Korean and English; nothing is uploaded, no attempt is stored
stop() { say "docklab: $1" "docklab: $2"; exit 1; }

work=$(mktemp -d 2>/dev/null || mktemp -d -t docklab) || stop "임시 폴더를 만들 수 없습니다." \
  "cannot make a temporary folder."
trap 'rm -rf "$work"' EXIT

# --- the templates: exactly what is read -----------------------------------------------------
# docker fills them from the raw JSON, where empty fields are left out: `index` reads a field
# that may be missing as null instead of failing.
# A container: state, image, command, ports, mounts, labels, networks. No environment values.
C_HEAD='{"Id":{{json .Id}},"Image":{{json .Image}},"Name":{{json .Name}},'
C_HEAD=$C_HEAD'"Path":{{json .Path}},"Args":{{json .Args}},"Mounts":{{json .Mounts}},'
C_STATE='"State":{"Status":{{json (index .State "Status")}},'
C_STATE=$C_STATE'"Running":{{json (index .State "Running")}},'
C_STATE=$C_STATE'"ExitCode":{{json (index .State "ExitCode")}},'
C_STATE=$C_STATE'"StartedAt":{{json (index .State "StartedAt")}},'
C_STATE=$C_STATE'"FinishedAt":{{json (index .State "FinishedAt")}}},'
C_CONFIG='"Config":{"Image":{{json (index .Config "Image")}},'
C_CONFIG=$C_CONFIG'"Cmd":{{json (index .Config "Cmd")}},'
C_CONFIG=$C_CONFIG'"Entrypoint":{{json (index .Config "Entrypoint")}},'
C_CONFIG=$C_CONFIG'"Labels":{{json (index .Config "Labels")}},'
C_CONFIG=$C_CONFIG'"ExposedPorts":{{json (index .Config "ExposedPorts")}},'
C_CONFIG=$C_CONFIG'"Tty":{{json (index .Config "Tty")}},'
C_CONFIG=$C_CONFIG'"WorkingDir":{{json (index .Config "WorkingDir")}},'
C_CONFIG=$C_CONFIG'"User":{{json (index .Config "User")}},'
C_CONFIG=$C_CONFIG'"AttachStdin":{{json (index .Config "AttachStdin")}},'
C_CONFIG=$C_CONFIG'"AttachStdout":{{json (index .Config "AttachStdout")}},'
C_CONFIG=$C_CONFIG'"AttachStderr":{{json (index .Config "AttachStderr")}}},'
C_HOST='"HostConfig":{"PortBindings":{{json (index .HostConfig "PortBindings")}},'
C_HOST=$C_HOST'"PublishAllPorts":{{json (index .HostConfig "PublishAllPorts")}},'
C_HOST=$C_HOST'"RestartPolicy":{{json (index .HostConfig "RestartPolicy")}}},'
C_NET='"NetworkSettings":{"Ports":{{json (index .NetworkSettings "Ports")}},'
C_NET=$C_NET'"Networks":{{json (index .NetworkSettings "Networks")}}}}'
CONTAINER=$C_HEAD$C_STATE$C_CONFIG$C_HOST$C_NET
# An image: tags, layers, size, dates, command. No environment values.
I_HEAD='{"Id":{{json .Id}},"RepoTags":{{json .RepoTags}},"Created":{{json .Created}},'
I_HEAD=$I_HEAD'"Size":{{json .Size}},"Os":{{json .Os}},"RootFS":{{json .RootFS}},'
I_CONFIG='"Config":{"Cmd":{{json (index .Config "Cmd")}},'
I_CONFIG=$I_CONFIG'"Entrypoint":{{json (index .Config "Entrypoint")}},'
I_CONFIG=$I_CONFIG'"Labels":{{json (index .Config "Labels")}},'
I_CONFIG=$I_CONFIG'"User":{{json (index .Config "User")}},'
I_CONFIG=$I_CONFIG'"ExposedPorts":{{json (index .Config "ExposedPorts")}},'
I_CONFIG=$I_CONFIG'"WorkingDir":{{json (index .Config "WorkingDir")}}}}'
IMAGE=$I_HEAD$I_CONFIG
# docker ps -a: one line per container.
LIST='{"ID":{{json .ID}},"Names":{{json .Names}},"Image":{{json .Image}},'
LIST=$LIST'"State":{{json .State}},"Labels":{{json .Labels}}}'
# docker history: one line per build step.
HISTORY='{"ID":{{json .ID}},"CreatedAt":{{json .CreatedAt}},"CreatedBy":{{json .CreatedBy}},'
HISTORY=$HISTORY'"Size":{{json .Size}},"Comment":{{json .Comment}}}'
# One environment variable, $1, as JSON ($2 = json) or as raw text to hash ($2 = raw).
env_template() {
  if [ "$2" = json ]; then shown='{{json .}}'; else shown='{{.}}'; fi
  printf '%s' '{{range (index .Config "Env")}}{{if eq (index (split . "=") 0) "'"$1"'"}}'"$shown"'{{end}}{{end}}'
}

# --- helpers -----------------------------------------------------------------------------------
# http URL OUT [BODY]: GET (or POST BODY as JSON) URL into OUT; prints the HTTP status (000 when
# the server cannot be reached).
http() {
  if command -v curl >/dev/null 2>&1; then
    if [ $# -ge 3 ]; then
      code=$(curl -sS -o "$2" -w '%{http_code}' -H 'Accept: text/plain' \
        -H 'Content-Type: application/json' --data-binary "@$3" "$1" 2>"$work/http-error") \
        || code=000
    else
      code=$(curl -sS -o "$2" -w '%{http_code}' "$1" 2>"$work/http-error") || code=000
    fi
  else
    if [ $# -ge 3 ]; then
      wget -q -S --content-on-error -O "$2" --header='Accept: text/plain' \
        --header='Content-Type: application/json' --post-file="$3" "$1" 2>"$work/headers"
    else
      wget -q -S --content-on-error -O "$2" "$1" 2>"$work/headers"
    fi
    code=$(sed -n 's/^ *HTTP\/[0-9.]* \([0-9][0-9][0-9]\).*/\1/p' "$work/headers" | tail -n 1)
    cp "$work/headers" "$work/http-error"
  fi
  printf '%s' "${code:-000}"
}

# the server's message from an error answer: docklab's one error body is written one key a line
# ("message_ko": ..., "message_en": ...), so sed finds both sentences without a JSON parser
server_says() {
  sed -n -e 's/^ *"message_ko": "\(.*\)",\{0,1\}$/\1/p' \
    -e 's/^ *"message_en": "\(.*\)",\{0,1\}$/\1/p' "$1" >&2
  grep -q '"message_' "$1" || say "docklab: HTTP $2"
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 | cut -d ' ' -f 1
  else openssl dgst -sha256 -r | cut -d ' ' -f 1
  fi
}

# a container or image name from the plan: passed to docker as one argument, never an option
safe_name() { case $1 in '' | -* | *[!A-Za-z0-9_.:/@+-]*) return 1 ;; esac; }
safe_var() { case $1 in '' | [!A-Za-z_]* | *[!A-Za-z0-9_]*) return 1 ;; esac; }

# docker ... with stdout to $out and stderr kept; stops at once if the engine went away
run_docker() {
  docker "$@" </dev/null >>"$out" 2>"$work/docker-error"
  rc=$?
  if grep -qi -e 'cannot connect to the docker daemon' -e 'permission denied' \
      "$work/docker-error"; then
    engine_problem
  fi
  return $rc
}

engine_problem() {
  if grep -qi 'permission denied' "$work/docker-error"; then
    stop "도커 소켓에 접근할 권한이 없습니다. 자신을 \`docker\` 그룹에 추가하거나 (root 와 같은 권한을 주는 것입니다) rootless Docker 를 쓰세요." \
      "permission denied on the Docker socket. Add yourself to the \`docker\` group (that is root-equivalent) or use rootless Docker."
  fi
  stop "도커 엔진(데몬)에 연결할 수 없습니다: 실행 중이 아닙니다. Docker Desktop 이나 dockerd 를 켜고 다시 하세요. ($(head -n 1 "$work/docker-error"))" \
    "cannot connect to the Docker daemon: it is not running. Start Docker Desktop or dockerd, then run the command again. ($(head -n 1 "$work/docker-error"))"
}

# --- 1. docker itself ----------------------------------------------------------------------------
command -v docker >/dev/null 2>&1 || stop \
  "\`docker\` 명령이 없습니다. Docker 를 설치하세요 (https://docs.docker.com/get-docker/)." \
  "the \`docker\` command was not found. Install Docker (https://docs.docker.com/get-docker/)."
command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 || stop \
  "curl 이나 wget 이 필요합니다." "curl or wget is needed."
if ! docker version --format '{{json .Server}}' >"$work/version" 2>"$work/docker-error" \
    </dev/null; then
  engine_problem
fi

# --- 2. the plan -------------------------------------------------------------------------------
code=$(http "$API/plan" "$work/plan")
if [ "$code" = 000 ]; then
  stop "서버 $DOCKLAB_SERVER 에 연결할 수 없습니다: $(head -n 1 "$work/http-error")" \
    "cannot reach the server $DOCKLAB_SERVER: $(head -n 1 "$work/http-error")"
fi
if [ "$code" != 200 ]; then server_says "$work/plan" "$code"; exit 1; fi
version=$(sed -n '1s/^{"version": \([0-9][0-9]*\),$/\1/p' "$work/plan")
if [ "$version" != "$PLAN_VERSION" ]; then
  stop "이 스크립트는 계획 버전 ${version:-?} 을(를) 모릅니다 (버전 $PLAN_VERSION 만 압니다). 실습 페이지에서 새 명령을 복사하세요." \
    "this script does not understand plan version ${version:-?} (it knows version $PLAN_VERSION). Copy a new command from the lab page."
fi
salt=$(sed -n 's/^ "salt": "\([A-Za-z0-9]*\)",$/\1/p' "$work/plan")
# one read per line: ["env", "mydb", "MYSQL_ROOT_PASSWORD", "hash"] -> env mydb MYSQL_... hash
sed -n 's/^ \[\(.*\)\],\{0,1\}$/\1/p' "$work/plan" | sed 's/", "/ /g; s/^"//; s/"$//' \
  >"$work/reads"

# --- 3. the reads --------------------------------------------------------------------------------
# every read becomes {"exit": N, "lines": [...]}; each line of docker's output is JSON already
n=0
while read -r kind a b c <&3; do
  out="$work/out.$n"
  : >"$out"
  for word in $a; do safe_name "$word" || stop "계획의 이름이 안전하지 않습니다: $word" \
    "the plan names something unsafe: $word"; done
  status=0
  case $kind in
    version) cp "$work/version" "$out" ;;
    containers) run_docker ps -a --no-trunc --format "$LIST" || status=$? ;;
    container)
      run_docker inspect --type container --format "$CONTAINER" "$a" || status=$?
      image=$(sed -n 's/^{"Id":"[0-9a-f]*","Image":"\(sha256:[0-9a-f]*\)".*/\1/p' "$out")
      if [ -n "$image" ]; then run_docker image inspect --format "$IMAGE" "$image"; fi ;;
    all-containers)
      docker ps -aq --no-trunc </dev/null >"$work/ids" 2>"$work/docker-error" || engine_problem
      if [ -s "$work/ids" ]; then
        # shellcheck disable=SC2046 # one word per container ID
        run_docker inspect --type container --format "$CONTAINER" $(cat "$work/ids")
        sed -n 's/^{"Id":"[0-9a-f]*","Image":"\(sha256:[0-9a-f]*\)".*/\1/p' "$out" | sort -u \
          >"$work/image-ids"
        # shellcheck disable=SC2046 # one word per image ID
        if [ -s "$work/image-ids" ]; then
          run_docker image inspect --format "$IMAGE" $(cat "$work/image-ids")
        fi
      fi ;;
    env)
      if ! safe_var "$b" || { [ "$c" != plain ] && [ "$c" != hash ]; }; then
        stop "계획의 변수 이름이 안전하지 않습니다: $b" "the plan names an unsafe variable: $b"
      fi
      ids=$(docker inspect --type container --format '{{.Id}} {{.Image}}' "$a" </dev/null \
        2>"$work/docker-error") || status=1
      if [ $status = 0 ]; then
        container_id=${ids% *}
        image_id=${ids#* }
        if [ "$c" = plain ]; then
          mine=$(docker inspect --type container --format "$(env_template "$b" json)" "$a")
          base=$(docker image inspect --format "$(env_template "$b" json)" "$image_id")
        else  # only a salted hash of "VAR=value" leaves this computer
          mine=$(docker inspect --type container --format "$(env_template "$b" raw)" "$a")
          base=$(docker image inspect --format "$(env_template "$b" raw)" "$image_id")
          [ -n "$mine" ] && mine="\"sha256:$(printf '%s' "$salt$mine" | sha256)\""
          [ -n "$base" ] && base="\"sha256:$(printf '%s' "$salt$base" | sha256)\""
        fi
        printf '{"Id":"%s","Image":"%s","Container":%s,"FromImage":%s}\n' "$container_id" \
          "$image_id" "${mine:-null}" "${base:-null}" >"$out"
      fi ;;
    image) run_docker image inspect --format "$IMAGE" "$a" || status=$? ;;
    image-env) run_docker image inspect --format '{{json .Config.Env}}' "$a" || status=$? ;;
    history)
      run_docker history --no-trunc --human=false --format "$HISTORY" "$a" || status=$? ;;
    *) stop "이 스크립트가 모르는 읽기입니다: $kind. 실습 페이지에서 새 명령을 복사하세요." \
      "this script does not know the read \"$kind\". Copy a new command from the lab page." ;;
  esac
  { printf '{"exit": %s, "lines": [' "$status"
    sed '/^[[:space:]]*$/d' "$out" | sed '$!s/$/,/'
    printf ']}'; } >"$work/result.$n"
  n=$((n + 1))
done 3<"$work/reads"

# --- 4. upload -----------------------------------------------------------------------------------
{ printf '{"version": %s, "results": [\n' "$PLAN_VERSION"
  i=0
  while [ $i -lt $n ]; do
    [ $i -gt 0 ] && printf ',\n'
    cat "$work/result.$i"
    i=$((i + 1))
  done
  printf '\n]}\n'; } >"$work/upload"
say "docklab: $(wc -c <"$work/upload" | tr -d ' ') bytes -> $DOCKLAB_SERVER"
code=$(http "$API/upload" "$work/answer" "$work/upload")
if [ "$code" = 000 ]; then
  stop "서버 $DOCKLAB_SERVER 에 연결할 수 없습니다: $(head -n 1 "$work/http-error")" \
    "cannot reach the server $DOCKLAB_SERVER: $(head -n 1 "$work/http-error")"
fi
cat "$work/answer"
[ "$code" = 201 ]
