#!/usr/bin/env bash
# The hand-written baseline for `strato bench`'s resume figure: start the
# same Milvus instance (its directory and configuration, written by strato)
# by hand and wait until it answers an authenticated REST call, then stop it.
#   bench-milvus-baseline.sh start DIR BIN METRICS_PORT CONNECT_URL USER:PASSWORD
#   bench-milvus-baseline.sh stop  DIR
set -euo pipefail
op=$1 dir=$2
case $op in
start)
    bin=$3 metrics=$4 url=$5 cred=$6
    cd "$dir"
    setsid env -i PATH=/usr/bin:/bin HOME="$dir" LD_LIBRARY_PATH="$bin" MILVUSCONF="$dir/configs" \
        METRICS_PORT="$metrics" GOMAXPROCS=1 "$bin/milvus" run standalone -alias bench-baseline \
        >>"$dir/logs/baseline.log" 2>&1 </dev/null &
    echo $! > "$dir/baseline.pid"
    until [ "$(curl -s -m 1 "http://127.0.0.1:$metrics/healthz")" = OK ]; do sleep 0.01; done
    until curl -s -m 2 -u "$cred" "$url/v1/vector/collections" | grep -q '"code":200'; do sleep 0.01; done
    ;;
stop)
    pid=$(cat "$dir/baseline.pid")
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    rm -f "$dir/baseline.pid"
    ;;
esac
