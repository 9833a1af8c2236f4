#!/usr/bin/env bash
# make-manpage.sh AVTALEFLYT OUTPUT: writes the man page avtaleflyt(1) to OUTPUT, made from
# `avtaleflyt --help` (the synopsis, the description, the global options and the list of
# commands) and each command's `--help` (its usage, description and options). Nothing is
# written by hand but the packaged paths (FILES) and the pointers to the documentation, so the
# page says what the binary says. Run at build time by packaging/CMakeLists.txt.
#
# It reads the layout printOptions/printGeneralHelp write in apps/cli/main.cpp: a section
# heading ends with ':', an entry is indented two spaces with its text in the section's column
# (see entries), a long option's text on the next line.
set -euo pipefail
bin=${1:?usage: make-manpage.sh PATH-TO-avtaleflyt OUTPUT}
out=${2:?usage: make-manpage.sh PATH-TO-avtaleflyt OUTPUT}

fail() { echo "make-manpage.sh: $*" >&2; exit 1; }

general=$("$bin" --help) || fail "'$bin --help' failed"
version=$("$bin" --version) || fail "'$bin --version' failed"
version=${version#avtaleflyt }

# roff: escape backslashes and minus signs, and protect a leading dot or quote.
esc() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

# section TEXT HEADING: the lines under HEADING (up to the next blank line).
section() {
  awk -v h="$2" '$0 == h { on = 1; next } on && /^$/ { exit } on { print }' <<< "$1"
}

# The paragraph text between the usage line and the first section heading (or the end).
description() {
  awk 'NR == 1 { next } /^[A-Z][A-Za-z ]*:$/ { exit } { print }' <<< "$1" | sed '/^$/d'
}

# entries TEXT: every "  NAME   TEXT" entry of a section as NAME<TAB>TEXT[<TAB>truncated]. The
# texts of a section start in one column (23 for options; for commands, past the longest
# name): the column where most lines have two spaces and then text. A NAME too long for it
# stands alone on its line, its text on the next line in that column. A NAME that runs into
# its text (an older --help cut command names at 20 characters) is marked truncated.
entries() {
  awk '
    { line[NR] = $0 }
    END {
      best = 0
      for (c = 5; c <= 60; c++) {
        n = 0
        for (i = 1; i <= NR; i++)
          if (substr(line[i], c - 2, 2) == "  " && substr(line[i], c, 1) ~ /[^ ]/) n++
        if (n > best) { best = n; col = c }
      }
      indent = sprintf("%" (col - 1) "s", "")
      for (i = 1; i <= NR; i++) {
        if (line[i] !~ /^  [^ ]/) continue
        if (substr(line[i + 1], 1, col - 1) == indent && substr(line[i + 1], col, 1) ~ /[^ ]/) {
          name = substr(line[i], 3); text = substr(line[i + 1], col); i++
          sub(/ +$/, "", name); print name "\t" text; continue
        }
        name = substr(line[i], 3, col - 3); text = substr(line[i], col)
        sub(/ +$/, "", name)
        cut = length(line[i]) >= col && substr(line[i], col - 1, 1) != " "
        print name "\t" text (cut ? "\ttruncated" : "")
      }
    }' <<< "$1"
}

# options TEXT: the entries of an Options section as .TP paragraphs.
options() {
  entries "$1" | while IFS=$'\t' read -r flag text _; do
    printf '.TP\n.B %s\n%s\n' "$(esc <<< "$flag")" "$(esc <<< "$text")"
  done
}

commands=$(section "$general" "Commands:")
[ -n "$commands" ] || fail "no 'Commands:' section in '$bin --help'"
globals=$(section "$general" "Global options (before or after the command):")
[ -n "$globals" ] || fail "no global options in '$bin --help'"
exits=$(grep '^Exit codes:' <<< "$general" || true)

{
  printf '.TH AVTALEFLYT 1 "" "avtaleflyt %s" "User Commands"\n' "$(esc <<< "$version")"
  printf '.SH NAME\navtaleflyt \\- document and agreement workflows for a competence network\n'
  printf '.SH SYNOPSIS\n.nf\n%s\n.fi\n' "$(head -n 1 <<< "$general" | sed 's/^Usage: //' | esc)"
  printf '.SH DESCRIPTION\n%s\n' "$(description "$general" | grep -v '^Commands:$' | esc)"
  printf '.PP\nEvery command has \\fB\\-\\-help\\fR.\n'
  printf '.SH GLOBAL OPTIONS\nGiven before or after the command.\n'
  options "$globals"
  printf '.SH COMMANDS\n'
  while IFS=$'\t' read -r name summary truncated; do
    [ -n "$name" ] || continue
    # shellcheck disable=SC2086 # the command's words, split on purpose
    help=$("$bin" $name --help 2>/dev/null) || help=
    usage=$(head -n 1 <<< "$help")
    if [ -n "$truncated" ] || [[ "$usage" != "Usage: avtaleflyt $name"* ]]; then
      echo "make-manpage.sh: warning: '$name' in '$bin --help' is not a command's whole name" \
           "(cut off?); the page has only its summary" >&2
      printf '.SS "%s..."\n%s\n' "$(esc <<< "$name")" "$(esc <<< "$summary")"
      continue
    fi
    printf '.SS "%s"\n' "$(esc <<< "${usage#Usage: avtaleflyt }")"
    printf '%s\n' "$(description "$help" | esc)"
    command_options=$(section "$help" "Options:")
    if [ -n "$command_options" ]; then
      printf '.RS\n'
      options "$command_options"
      printf '.RE\n'
    fi
  done <<< "$(entries "$commands")"
  printf '.SH EXIT STATUS\n%s\n' "$(esc <<< "${exits#Exit codes: }")"
  printf '.SH ENVIRONMENT\n.TP\n.B AVTALEFLYT_DATA\nthe data folder when \\fB\\-\\-data\\fR is not given.\n'
  printf '.SH FILES\n'
  printf '.TP\n.I DATA/avtaleflyt.properties\nthe configuration of the installation in the data folder DATA.\n'
  printf '.TP\n.I /etc/avtaleflyt/avtaleflyt.properties\n'
  printf 'the configuration of the packaged service; \\fI/var/lib/avtaleflyt/avtaleflyt.properties\\fR links to it.\n'
  printf '.TP\n.I /var/lib/avtaleflyt\nthe data folder of the packaged service \\fBavtaleflyt.service\\fR.\n'
  printf '.SH SEE ALSO\n'
  printf 'The guides in \\fI/usr/share/doc/avtaleflyt/\\fR, the operator guide first:\n'
  printf '\\fI/usr/share/doc/avtaleflyt/docs/operator\\-guide.md\\fR.\n'
} > "$out.tmp"
mv "$out.tmp" "$out"
