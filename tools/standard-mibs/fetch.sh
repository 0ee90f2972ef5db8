#!/usr/bin/env bash
# Fetch the standard MIB modules (IETF, IANA, Net-SNMP) into a cache directory at
# setup/build time. No MIB text is committed to this repository: every module comes from
# a maintained package, fetched with the ordinary package clients:
#
#   * Debian `snmp-mibs-downloader` (non-free): ships the IETF RFCs and the IANA MIB
#     files it extracts modules from (with `smistrip`, Debian main), plus its own fixes
#     (`rfcmibs.diff`). We run the same extraction it runs, offline, into our cache.
#   * npm `net-snmp`: RFC-1212 and RFC-1215 (the downloader fetches these two from a
#     web site, which is not reachable here) and anything the first source lacks.
#   * Debian `libsnmp-base` (main): Net-SNMP's own modules (NET-SNMP-*, UCD-*).
#
# A private apt state directory is used, so the machine's apt sources are not changed.
#
# Usage: tools/standard-mibs/fetch.sh [DEST]     (default: build/standard-mibs)
# Result: DEST/modules/<MODULE-NAME> and DEST/SOURCES.tsv (module, source package).
set -euo pipefail

DEST="${1:-${SNMPLAB_STANDARD_MIBS_DIR:-build/standard-mibs}}"
NPM_NET_SNMP="net-snmp@3.29.2"
STAMP="v1 snmp-mibs-downloader smistrip libsnmp-base ${NPM_NET_SNMP}"

if [[ -f "$DEST/.complete" && "$(cat "$DEST/.complete")" == "$STAMP" ]]; then
    echo "standard MIBs: up to date in $DEST ($(ls "$DEST/modules" | wc -l) modules)"
    exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

codename="bookworm"
if [[ -r /etc/os-release ]]; then
    # shellcheck disable=SC1091
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
fi
mirror="${SNMPLAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

mkdir -p "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" "$WORK/debs" "$WORK/root"
echo "deb $mirror $codename main non-free" >"$WORK/apt/sources.list"
APT=(apt-get -q
    -o "Dir::Etc::sourcelist=$WORK/apt/sources.list"
    -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$WORK/apt/lists"
    -o "Dir::Cache=$WORK/apt/cache"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root")

echo "standard MIBs: fetching Debian packages from $mirror ($codename)"
"${APT[@]}" update >/dev/null
(cd "$WORK/debs" && "${APT[@]}" download snmp-mibs-downloader smistrip libsnmp-base >/dev/null)
for deb in "$WORK"/debs/*.deb; do
    dpkg-deb -x "$deb" "$WORK/root"
done
versions="$(for deb in "$WORK"/debs/*.deb; do basename "$deb" .deb; done | tr '\n' ' ')"

SMISTRIP=(sh "$WORK/root/usr/bin/smistrip")
CONF="$WORK/root/etc/snmp-mibs-downloader"
DATA="$WORK/root/usr/share/snmp/mibs-downloader"
OUT="$WORK/out"
mkdir -p "$OUT/ietf" "$OUT/iana" "$OUT/npm" "$OUT/netsnmp"

# The same extraction download-mibs performs, from the package's own files and lists.
extract() { # list-file prefix suffix archive-dir dest
    local list="$1" prefix="$2" suffix="$3" dir="$4" dest="$5" file mibs
    while read -r file mibs; do
        [[ -z "$file" || "$file" == "#"* ]] && continue
        gzip -dc "$dir/$prefix$file$suffix.gz" | tr -d '\r' |
            "${SMISTRIP[@]}" -a -d "$dest" -m "$mibs" - >/dev/null
    done <"$list"
}
extract "$CONF/rfclist" rfc .txt "$DATA/mibrfcs" "$OUT/ietf"
patch -s -d "$OUT/ietf" <"$CONF/rfcmibs.diff"
extract "$CONF/ianarfclist" rfc .txt "$DATA/mibrfcs" "$OUT/iana"
extract "$CONF/ianalist" "" "" "$DATA/mibiana" "$OUT/iana"

if command -v npm >/dev/null; then
    (cd "$WORK" && npm pack --silent "$NPM_NET_SNMP" >/dev/null)
    tar -xzf "$WORK"/net-snmp-*.tgz -C "$WORK" package/lib/mibs
    for f in "$WORK"/package/lib/mibs/*.mib; do
        cp "$f" "$OUT/npm/$(basename "$f" .mib)"
    done
else
    echo "standard MIBs: WARNING npm not found; RFC-1212 and RFC-1215 will be missing" >&2
fi

for f in "$WORK"/root/usr/share/snmp/mibs/*.txt; do
    cp "$f" "$OUT/netsnmp/$(basename "$f" .txt)"
done

# One flat directory; the first source that has a module wins.
rm -rf "$DEST.tmp"
mkdir -p "$DEST.tmp/modules"
{
    printf 'module\tsource\n'
    for src in ietf:"Debian snmp-mibs-downloader (IETF RFC text)" \
        iana:"Debian snmp-mibs-downloader (IANA)" \
        npm:"npm ${NPM_NET_SNMP} lib/mibs" \
        netsnmp:"Debian libsnmp-base (Net-SNMP)"; do
        dir="${src%%:*}"
        label="${src#*:}"
        for f in "$OUT/$dir"/*; do
            [[ -f "$f" ]] || continue
            name="$(basename "$f")"
            [[ -e "$DEST.tmp/modules/$name" ]] && continue
            cp "$f" "$DEST.tmp/modules/$name"
            printf '%s\t%s\n' "$name" "$label"
        done
    done
} >"$DEST.tmp/SOURCES.tsv"
# The modules snmplab promises out of the box; a fetch that lacks one is a failed fetch.
missing=()
for m in SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB SNMP-FRAMEWORK-MIB IF-MIB IP-MIB \
    TCP-MIB UDP-MIB HOST-RESOURCES-MIB ENTITY-MIB BRIDGE-MIB RMON-MIB DISMAN-EVENT-MIB \
    NOTIFICATION-LOG-MIB IANAifType-MIB INET-ADDRESS-MIB RFC1155-SMI RFC1213-MIB \
    NET-SNMP-MIB NET-SNMP-TC; do
    [[ -f "$DEST.tmp/modules/$m" ]] || missing+=("$m")
done
if ((${#missing[@]})); then
    echo "standard MIBs: FAILED, missing ${missing[*]}" >&2
    rm -rf "$DEST.tmp"
    exit 1
fi
echo "$versions" >"$DEST.tmp/PACKAGES"
echo "$STAMP" >"$DEST.tmp/.complete"
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "standard MIBs: $(ls "$DEST/modules" | wc -l) modules in $DEST (from: $versions${NPM_NET_SNMP})"
