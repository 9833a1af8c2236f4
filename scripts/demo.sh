#!/usr/bin/env bash
# The demo: a fresh installation in ./demo-data, an invented network of six areas and about
# 250 nurses imported from a name list as Excel writes it, the summary per area, function
# descriptions sent to every active nurse, a collaboration agreement through approval, a second
# list with changes (someone on leave, a new leader, someone gone) reaching the open cases, a
# list with mistakes, the mail delivered into a maildir, signing and declining through the
# signing portal's HTTP interface, the first reminders, sample PDFs (one sealed), paper
# signatures, an archive package for the records system and its audit, and the audit log
# verified.
set -euo pipefail
bin=${1:?usage: demo.sh PATH-TO-avtaleflyt}
data=demo-data
rm -rf "$data"
export AVTALEFLYT_DATA=$data
af() { echo; echo "\$ avtaleflyt $*"; "$bin" "$@"; }
# The story runs on one clock, set at each chapter (AVTALEFLYT_NOW is the default of --now);
# the servers run on it too, so their reminder sweep sees the story's day, not today.
story() { export AVTALEFLYT_NOW=$1; echo; echo "--- $1 ---"; }

story 2026-11-02T08:00

af init
# The signing portal of the demo listens here; the links in the mails point to it.
port=${AVTALEFLYT_DEMO_PORT:-8765}
echo "portal.url = http://127.0.0.1:$port" >> "$data/avtaleflyt.properties"
af sample roster --out "$data/navneliste.csv" --add-network
echo; echo "\$ avtaleflyt import roster $data/navneliste.csv --dry-run   (first lines)"
preview=$("$bin" import roster "$data/navneliste.csv" --dry-run)
head -n 8 <<< "$preview"
echo "  ..."
echo; echo "\$ avtaleflyt import roster $data/navneliste.csv   (last line)"
"$bin" import roster "$data/navneliste.csv" | tail -n 1
af network show
af import roster "$data/navneliste.csv"

# Function descriptions for every active nurse: nobody forgotten, nobody twice.
story 2026-11-02T09:00
af send function-descriptions --area Follo --dry-run --now 2026-11-02T09:00 | tail -n 3
echo; echo "\$ avtaleflyt send function-descriptions --now 2026-11-02T09:00   (last lines)"
"$bin" send function-descriptions --now 2026-11-02T09:00 | tail -n 3
af send function-descriptions --now 2026-11-02T09:00
af case list --area Kongsvinger

# Mail: each step wrote its messages to the outbox in its own transaction; sending delivers them
# (here into the maildir $data/mail, real .eml files a mail client opens).
echo; echo "\$ avtaleflyt outbox list   (last lines)"
"$bin" outbox list | tail -n 2
echo; echo "\$ avtaleflyt outbox send --now 2026-11-02T09:05   (last lines)"
"$bin" outbox send --now 2026-11-02T09:05 | tail -n 2
first=$(ls "$data"/mail/new/FB-2026-0003.sign.*.eml | head -n 1)
echo; echo "\$ head -n 7 $first"; head -n 7 "$first"

# The signing portal: `serve` in the background; nurses and leaders sign through its HTTP
# interface the way a browser does (open the link, read, tick, sign), one declines, and a used
# link is refused.
story 2026-11-02T09:30
"$bin" serve --port "$port" --dispatch-every 2 > "$data/serve.log" 2> "$data/serve.err" &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "Listening" "$data/serve.log" && break; sleep 0.1; done
echo; echo "\$ avtaleflyt serve --port $port &"; head -n 2 "$data/serve.log"
token_of() {  # the signing link's token in a mail (quoted-printable soft breaks undone)
  sed -e ':a' -e '/=\r$/{N;s/=\r\n//;ba' -e '}' "$1" | grep -o '/s/[A-Za-z0-9_-]\{43\}' | head -n 1 | cut -c4-
}
portal() {  # portal sign|decline MAIL [REASON]: what the browser does, printed as status + heading
  local token csrf page
  token=$(token_of "$2")
  page=$(curl -s "http://127.0.0.1:$port/s/$token")
  csrf=$(echo "$page" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -n 1 | cut -d'"' -f4)
  if [ "$1" = sign ]; then
    curl -s -w ' %{http_code}' -d "csrf=$csrf" -d confirm=yes "http://127.0.0.1:$port/s/$token/sign"
  else
    curl -s -w ' %{http_code}' -d "csrf=$csrf" --data-urlencode "reason=$3" "http://127.0.0.1:$port/s/$token/decline"
  fi | sed -e 's/.*<h1>\(.*\)<\/h1>.* \([0-9]*\)$/  HTTP \2: \1/'
}
for mail in "$data"/mail/new/FB-2026-0003.sign.*.eml "$data"/mail/new/FB-2026-0004.sign.*.eml; do
  echo; echo "POST /s/TOKEN/sign   (link from $(basename "$mail"))"; portal sign "$mail"
done
mail=$(ls "$data"/mail/new/FB-2026-0005.sign.*.eml | head -n 1)
echo; echo "POST /s/TOKEN/decline   (link from $(basename "$mail"))"
portal decline "$mail" "Jeg har byttet arbeidssted"
echo; echo "GET /s/TOKEN   (the first link again)"
curl -s -o /dev/null -w '  HTTP %{http_code}: the link was used\n' \
  "http://127.0.0.1:$port/s/$(token_of "$(ls "$data"/mail/new/FB-2026-0003.sign.*.eml | head -n 1)")"
sleep 3  # the portal's dispatcher sends the mails the signing wrote (the sealed PDF to both)
kill -TERM "$serve_pid"; wait "$serve_pid" || true
trap - EXIT
echo; echo "\$ tail -n 3 $data/serve.log"; tail -n 3 "$data/serve.log"
af case list --state signed
echo; echo "\$ avtaleflyt case show FB-2026-0005   (first lines)"
shown=$("$bin" case show FB-2026-0005)
head -n 12 <<< "$shown"

# A collaboration agreement: draft, review, approval by the committee, sent to the parties.
story 2026-11-02T10:00
af agreement new --title "Samarbeidsavtale om kompetansenettverket" \
  --party "Akershus universitetssykehus|Hanne Solberg|hanne.solberg@ahus.example" \
  --party "Lillestrøm kommune|Rune Haugland|rune.haugland@lillestrom.kommune.example" \
  --party "Nordre Follo kommune|Mona Strand|mona.strand@nordre.follo.kommune.example"
af agreement review SA-2026-0001
af agreement approve SA-2026-0001 --body "Samarbeidsutvalget" --date 2026-10-30
af agreement send SA-2026-0001 --now 2026-11-02T10:00
af case withdraw SA-2026-0001 || echo "(exit code $?: refused, nothing changed)"

# Next month's list: row 20 goes on leave, row 30 moves to row 150's unit, row 40 gets row
# 50's leader, row 60 is gone.
awk -F';' -v OFS=';' '
  NR == 150 { unit31 = $6; muni31 = $5; area31 = $4 }
  NR == 50 { leader50 = $8; leaderMail50 = $9 }
  { rows[NR] = $0 }
  END {
    for (i = 1; i <= NR; i++) {
      $0 = rows[i]
      if (i == 20) $10 = "perm"
      if (i == 30) { $4 = area31; $5 = muni31; $6 = unit31 }
      if (i == 40) { $8 = leader50; $9 = leaderMail50 }
      if (i != 60) print
    }
  }' "$data/navneliste.csv" > "$data/navneliste-desember.csv"
story 2026-11-05T08:00
af import roster "$data/navneliste-desember.csv" --dry-run --now 2026-11-05T08:00
"$bin" import roster "$data/navneliste-desember.csv" --now 2026-11-05T08:00 > /dev/null
af people list --area Follo --status perm

# A list with mistakes: every problem is reported, and nothing is imported.
{
  printf 'Navn;E-post;Område;Arbeidssted;Leder;Leders e-post;Status\r\n'
  printf 'Hedda Vik;hedda.vik@frogn.kommune.example;Follo;Solbakken sykehjem;Tor Lie;tor.lie@frogn.kommune.example;aktiv\r\n'
  printf 'Mia Berg;;Follo;Solbakken sykehjem;Tor Lie;tor.lie@frogn.kommune.example;aktiv\r\n'
  printf 'Jonas Aas;jonas.aas@frogn;Follo;Solbakken sykehjem;Tor Lie;tor.lie@frogn.kommune.example;aktiv\r\n'
  printf 'Siri Moe;siri.moe@frogn.kommune.example;Vestfold;Solbakken sykehjem;Tor Lie;tor.lie@frogn.kommune.example;pensjonert\r\n'
  printf 'Hedda Vik;hedda.vik@frogn.kommune.example;Follo;Solbakken sykehjem;Tor Lie;tor.lie@frogn.kommune.example;aktiv\r\n'
  printf 'Ola Dahl;ola.dahl@frogn.kommune.example;Follo;Solbakken sykehjem;;;aktiv\r\n'
} > "$data/navneliste-feil.csv"
af import roster "$data/navneliste-feil.csv" || echo "(exit code $?: nothing was imported)"

story 2026-11-09T10:00
# A week later the engine chases: the first reminders are due, mailed with fresh links.
echo; echo "\$ avtaleflyt remind --now 2026-11-09T10:00   (first and last lines)"
fired=$("$bin" remind --now 2026-11-09T10:00)
head -n 3 <<< "$fired"
echo "  ..."
tail -n 1 <<< "$fired"
echo; echo "\$ avtaleflyt outbox send --now 2026-11-09T10:05   (last line: the reminders)"
"$bin" outbox send --now 2026-11-09T10:05 | tail -n 1

af case show FB-2026-0001

story 2026-11-10T09:00
# Documents: the function description as sent, and as it will look signed and sealed.
mkdir -p "$data/pdf"
af render FB-2026-0001 --out "$data/pdf/FB-2026-0001.pdf"
af render FB-2026-0001 --final --seal --out "$data/pdf/FB-2026-0001-forseglet.pdf"
af render SA-2026-0001 --out "$data/pdf/SA-2026-0001.pdf"
af seal verify "$data/pdf/FB-2026-0001-forseglet.pdf"
if command -v pdfsig >/dev/null; then
  echo; echo "\$ pdfsig $data/pdf/FB-2026-0001-forseglet.pdf   (poppler's own check)"
  pdfsig "$data/pdf/FB-2026-0001-forseglet.pdf" | grep -E "Signature Type|Total document|Signature Validation"
fi
echo; echo "The PDFs are in $data/pdf/; open them in any PDF reader."

# Paper signatures with their scans complete two function descriptions; the final documents
# are sealed at once. Then the signed cases go to the archive as one Noark 5 package.
"$bin" render FB-2026-0002 --out "$data/pdf/skann.pdf" > /dev/null   # stands in for a scan
for ref in FB-2026-0001 FB-2026-0002; do
  af sign register "$ref" --signer nurse --scan "$data/pdf/skann.pdf" --date 2026-11-09 --now 2026-11-10T09:00
  af sign register "$ref" --signer leader --scan "$data/pdf/skann.pdf" --now 2026-11-10T09:00
done
af case document FB-2026-0001 --out "$data/pdf/FB-2026-0001-signert.pdf"
story 2026-11-10T10:00
af archive --out "$data/arkiv"
package=$(ls -d "$data"/arkiv/avtaleflyt-* | head -n 1)
echo; echo "\$ find $package -type f"; find "$package" -type f | sort
echo; echo "\$ (cd $package && sha256sum -c manifest.sha256)"; (cd "$package" && sha256sum -c manifest.sha256)
af audit --package "$package"
af schema check "$package/arkivstruktur.xml" "$package/arkivuttrekk.xml"
af archive ref FB-2026-0001 "26/00042-1"
af print-batch --area Ahus --out "$data/pdf/utskrift-ahus.pdf"

# Who is still missing: the morning glance, and the report for the area leaders.
story 2026-11-30T09:00
af status
echo; echo "\$ avtaleflyt report missing --area Follo --now 2026-11-30T09:00   (first lines)"
missing=$("$bin" report missing --area Follo --now 2026-11-30T09:00)
head -n 12 <<< "$missing"
af report missing --format html --out "$data/manglende-signaturer.html" --now 2026-11-30T09:00
af report missing --format pdf --out "$data/pdf/manglende-signaturer.pdf" --now 2026-11-30T09:00

# The dashboard: users for the network leader and an area leader; sign in and look.
echo "demo-passord-1" | af user add nora --name "Åse Nilsen" --role network_leader
echo "demo-passord-2" | af user add follo --name "Områdeleder Follo" --role area_leader --area Follo
af user list
"$bin" serve --port "$port" > "$data/serve.log" 2> "$data/serve.err" &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "Listening" "$data/serve.log" && break; sleep 0.1; done
# The sign-in form first, as a browser gets it: its cookie and its CSRF token go with the POST.
curl -s -c "$data/signin.cookies" -o "$data/signin.html" "http://127.0.0.1:$port/app/login"
csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$data/signin.html" | sed 's/.*value="//; s/"$//')
cookie=$(curl -s -i -b "$data/signin.cookies" -d "username=follo&password=demo-passord-2&csrf=$csrf" \
  "http://127.0.0.1:$port/app/login" | grep -o 'avtaleflyt_session=[0-9a-f]*' || true)
rm -f "$data/signin.cookies" "$data/signin.html"
echo; echo "GET /app   (signed in as the area leader of Follo: the area's numbers)"
overview=$(curl -s -b "$cookie" "http://127.0.0.1:$port/app")
rows=$(grep -o '<td>Follo</td>\(<td>[0-9]*</td>\)\{5\}' <<< "$overview" | sed 's/<[^>]*>/ /g')
echo "  area, active, signed, waiting, overdue, not out:"
head -n 1 <<< "$rows"
echo "GET /app/cases/FB-2026-0003   (a case of another area)"
curl -s -o /dev/null -w '  HTTP %{http_code}\n' -b "$cookie" "http://127.0.0.1:$port/app/cases/FB-2026-0003"
kill -TERM "$serve_pid"; wait "$serve_pid" || true
trap - EXIT

af workflow list
af log verify
af log head --out "$data/audit-log-head.txt"   # a copy of the head, to keep away from the machine
af log list --last 5
echo
echo "The data folder is $data/: the database avtaleflyt.db, the configuration avtaleflyt.properties,"
echo "the seal (seal-certificate.pem, seal-key.pem), the sample PDFs in $data/pdf/ and the archive"
echo "package in $data/arkiv/."
