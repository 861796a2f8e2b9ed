#!/usr/bin/env bash
# Deploy the challenges service to a Google Cloud project (see docs/DEPLOY.md).
#
#   PROJECT_ID=my-project infra/deploy.sh
#
# Settings (environment): PROJECT_ID (required), REGION (default: the region firebase.json's
# Hosting rewrites name), RUNTIME (python311 | python312, default python312), MEMORY (256Mi),
# IMAGES_BUCKET (default PROJECT_ID-challenge-images), SA_NAME (challenges-runtime),
# FIRESTORE_LOCATION (default REGION), ONLY (space-separated entry points to deploy; default all),
# RANK_STALENESS_SECONDS (default 300: refresh_ranks runs every max(1, N/60) minutes),
# SKIP_FIREBASE=1 (skip rules, indexes and Hosting), DRY_RUN=1 (print the commands, run nothing).
#
# The functions, their kinds and triggers are the table's (shared/endpoints.py, read through
# `python -m shared.endpoints table`): http functions are public, the event function gets its
# Eventarc trigger, scheduled functions are private and invoked by a Cloud Scheduler job.
#
# Idempotent: existing resources are kept, functions are redeployed, scheduler jobs updated.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
DRY_RUN="${DRY_RUN:-}"
PROJECT_ID="${PROJECT_ID:?set PROJECT_ID to the Google Cloud project to deploy to}"
HOSTING_REGION="$("$PYTHON" -c 'import json
regions = {r["function"]["region"] for r in json.load(open("firebase.json"))["hosting"]["rewrites"]}
assert len(regions) == 1, regions
print(regions.pop())')"
REGION="${REGION:-$HOSTING_REGION}"
RUNTIME="${RUNTIME:-python312}"
MEMORY="${MEMORY:-256Mi}"
BUCKET="${IMAGES_BUCKET:-${PROJECT_ID}-challenge-images}"
SA_NAME="${SA_NAME:-challenges-runtime}"
SA="${SA_NAME}@${PROJECT_ID}.iam.gserviceaccount.com"
FIRESTORE_LOCATION="${FIRESTORE_LOCATION:-$REGION}"

case "$RUNTIME" in
  python311 | python312) ;;
  *) echo "RUNTIME must be python311 or python312, got $RUNTIME" >&2; exit 2 ;;
esac
if [[ "$REGION" != "$HOSTING_REGION" ]]; then
  echo "firebase.json's Hosting rewrites point to $HOSTING_REGION, not $REGION:" \
       "deploy there or update firebase.json" >&2
  exit 2
fi

# The table of functions, one a line: `<entry point> http`,
# `<entry point> event <event type> <database> <document pattern>`,
# `<entry point> scheduled <setting> <default seconds>` (it imports nothing else).
TABLE="$("$PYTHON" -m shared.endpoints table)"
ALL_ENTRY_POINTS="$(while read -r entry _; do printf '%s ' "$entry"; done <<<"$TABLE")"
ENTRY_POINTS="${ONLY:-$ALL_ENTRY_POINTS}"

# The table's line of an entry point (fields after the entry point), or nothing.
row() {
  local entry rest
  while read -r entry rest; do
    if [[ "$entry" == "$1" ]]; then printf '%s\n' "$rest"; return 0; fi
  done <<<"$TABLE"
  return 1
}

for entry in $ENTRY_POINTS; do
  if ! row "$entry" >/dev/null; then
    echo "$entry is not a function of shared/endpoints.py (ONLY: one of $ALL_ENTRY_POINTS)" >&2
    exit 2
  fi
done

# Scheduled functions' settings (e.g. RANK_STALENESS_SECONDS): each both sets the job's interval
# and goes into every function's environment, so the functions and the schedule agree.
SETTINGS=""
while read -r entry kind setting default; do
  [[ "$kind" == scheduled ]] || continue
  value="${!setting:-$default}"
  "$PYTHON" -m shared.endpoints cron "$entry" "$value" >/dev/null || exit 2
  SETTINGS+=",$setting=$value"
done <<<"$TABLE"

step() { printf '\n==> %s\n' "$*"; }

# Run a command, or print it under DRY_RUN.
run() {
  if [[ -n "$DRY_RUN" ]]; then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

# True when a describe command finds the resource (always false under DRY_RUN).
exists() {
  [[ -z "$DRY_RUN" ]] && "$@" >/dev/null 2>&1
}

gc=(gcloud --project="$PROJECT_ID" --quiet)

step "APIs"
run "${gc[@]}" services enable \
  cloudfunctions.googleapis.com run.googleapis.com cloudbuild.googleapis.com \
  artifactregistry.googleapis.com eventarc.googleapis.com pubsub.googleapis.com \
  firestore.googleapis.com storage.googleapis.com iamcredentials.googleapis.com \
  cloudscheduler.googleapis.com firebaserules.googleapis.com firebasehosting.googleapis.com

step "Firestore database (default) in $FIRESTORE_LOCATION"
if ! exists "${gc[@]}" firestore databases describe --database="(default)"; then
  run "${gc[@]}" firestore databases create --database="(default)" \
    --location="$FIRESTORE_LOCATION" --type=firestore-native
fi

step "runtime service account $SA"
if ! exists "${gc[@]}" iam service-accounts describe "$SA"; then
  run "${gc[@]}" iam service-accounts create "$SA_NAME" \
    --display-name="Challenges functions runtime"
fi
run "${gc[@]}" projects add-iam-policy-binding "$PROJECT_ID" \
  --member="serviceAccount:$SA" --role=roles/datastore.user --condition=None
# Eventarc delivers the Firestore events with this identity.
run "${gc[@]}" projects add-iam-policy-binding "$PROJECT_ID" \
  --member="serviceAccount:$SA" --role=roles/eventarc.eventReceiver --condition=None
# signBlob on itself: V4 signed image URLs without any key file.
run "${gc[@]}" iam service-accounts add-iam-policy-binding "$SA" \
  --member="serviceAccount:$SA" --role=roles/iam.serviceAccountTokenCreator

step "images bucket gs://$BUCKET"
if ! exists "${gc[@]}" storage buckets describe "gs://$BUCKET"; then
  run "${gc[@]}" storage buckets create "gs://$BUCKET" --location="$REGION" \
    --uniform-bucket-level-access --public-access-prevention
fi
run "${gc[@]}" storage buckets add-iam-policy-binding "gs://$BUCKET" \
  --member="serviceAccount:$SA" --role=roles/storage.objectViewer

step "Firestore TTL on authNonces.expiresAt"
run "${gc[@]}" firestore fields ttls update expiresAt --collection-group=authNonces \
  --enable-ttl --async

ENV_VARS="GOOGLE_CLOUD_PROJECT=$PROJECT_ID,IMAGES_BUCKET=$BUCKET,SIGNER_EMAIL=$SA,LOG_JSON=true"
ENV_VARS+="$SETTINGS"
common=(
  --gen2 --region="$REGION" --runtime="$RUNTIME" --source=. --memory="$MEMORY"
  --service-account="$SA" --set-env-vars="$ENV_VARS"
)

deploy_function() {
  local entry="$1" name="${1//_/-}" kind event_type database document
  read -r kind event_type database document <<<"$(row "$entry")"
  case "$kind" in
    http)
      # Public over HTTPS: each endpoint authenticates its callers itself (V1 messages, V2
      # tokens, Gigya signatures).
      run "${gc[@]}" functions deploy "$name" "${common[@]}" --entry-point="$entry" \
        --trigger-http --allow-unauthenticated
      ;;
    event)
      run "${gc[@]}" functions deploy "$name" "${common[@]}" --entry-point="$entry" \
        --trigger-location="$FIRESTORE_LOCATION" \
        --trigger-event-filters=type="$event_type" \
        --trigger-event-filters=database="$database" \
        --trigger-event-filters-path-pattern=document="$document" \
        --trigger-service-account="$SA" --retry
      run "${gc[@]}" functions add-invoker-policy-binding "$name" --region="$REGION" \
        --member="serviceAccount:$SA"
      ;;
    scheduled)
      # Private: only the runtime account (the scheduler job's OIDC identity) may invoke it.
      run "${gc[@]}" functions deploy "$name" "${common[@]}" --entry-point="$entry" \
        --trigger-http --no-allow-unauthenticated
      run "${gc[@]}" functions add-invoker-policy-binding "$name" --region="$REGION" \
        --member="serviceAccount:$SA"
      ;;
    *)
      echo "unknown kind $kind of $entry" >&2
      return 1
      ;;
  esac
}

# The Cloud Scheduler job of a scheduled function: POST {} with an OIDC token of the runtime
# account, every max(1, SETTING/60) minutes.
schedule_job() {
  local entry="$1" name="${1//_/-}" kind setting default cron url
  read -r kind setting default <<<"$(row "$entry")"
  cron="$("$PYTHON" -m shared.endpoints cron "$entry" "${!setting:-$default}")"
  local describe=("${gc[@]}" functions describe "$name" --gen2 --region="$REGION"
    --format='value(serviceConfig.uri)')
  if [[ -n "$DRY_RUN" ]]; then
    run "${describe[@]}"
    url="https://$name-dry-run.a.run.app"
  else
    url="$("${describe[@]}")"
  fi
  local flags=(
    --location="$REGION" --schedule="$cron" --time-zone=Etc/UTC
    --uri="$url" --http-method=POST --message-body='{}'
    --oidc-service-account-email="$SA" --oidc-token-audience="$url"
  )
  if exists "${gc[@]}" scheduler jobs describe "$name" --location="$REGION"; then
    run "${gc[@]}" scheduler jobs update http "$name" "${flags[@]}" \
      --update-headers=Content-Type=application/json
  else
    run "${gc[@]}" scheduler jobs create http "$name" "${flags[@]}" \
      --headers=Content-Type=application/json
  fi
}

step "functions ($RUNTIME, $MEMORY, $REGION): $ENTRY_POINTS"
logs="$(mktemp -d)"
pids=()
for entry in $ENTRY_POINTS; do
  # One source upload per function, deployed side by side; each function imports only its module.
  if [[ -n "$DRY_RUN" ]]; then
    deploy_function "$entry"
  else
    deploy_function "$entry" >"$logs/$entry.log" 2>&1 &
    pids+=("$!:$entry")
  fi
done
failed=()
for item in "${pids[@]+"${pids[@]}"}"; do
  if wait "${item%%:*}"; then
    echo "deployed ${item#*:}"
  else
    failed+=("${item#*:}")
    echo "FAILED ${item#*:}; log:" >&2
    tail -n 30 "$logs/${item#*:}.log" >&2
  fi
done
if ((${#failed[@]})); then
  echo "functions not deployed: ${failed[*]}" >&2
  exit 1
fi

for entry in $ENTRY_POINTS; do
  read -r kind _ <<<"$(row "$entry")"
  if [[ "$kind" == scheduled ]]; then
    step "Cloud Scheduler job for $entry"
    schedule_job "$entry"
  fi
done

if [[ -z "${SKIP_FIREBASE:-}" ]]; then
  step "Firestore rules and indexes, Hosting rewrites (Firebase CLI)"
  firebase_cli=(firebase)
  if ! command -v firebase >/dev/null 2>&1; then firebase_cli=(npx --yes firebase-tools); fi
  run "${firebase_cli[@]}" deploy --project "$PROJECT_ID" --non-interactive \
    --only firestore:rules,firestore:indexes,hosting
fi

step "done"
echo "functions in $REGION; images in gs://$BUCKET; runtime identity $SA"
echo "load a catalog: GOOGLE_CLOUD_PROJECT=$PROJECT_ID IMAGES_BUCKET=$BUCKET" \
     "$PYTHON -m devtools.catalog load demo/catalog.json"
