#!/bin/bash
# Offline stand-in for Bazel's Java CoverageOutputGenerator, which Bazel
# would otherwise download as @remote_coverage_tools.  Bazel runs it in two
# roles, told apart by their flags:
#
#   per test  (lcov_merger):
#     --coverage_dir=DIR --output_file=OUT [--filter_sources=REGEX]...
#     [--source_file_manifest=MANIFEST]
#     Concatenate the lcov tracefiles (*.dat) that collect_cc_coverage.sh
#     left in DIR into OUT, dropping sources that match a filter and, as
#     the real tool does, sources not listed in MANIFEST: every object of
#     the test is instrumented, but only the sources selected by
#     --instrumentation_filter are listed there.
#
#   combined  (coverage_report_generator, --combined_report=lcov):
#     --reports_file=LIST --output_file=OUT
#     Concatenate the per-test reports named in LIST into OUT.
#
# lcov allows several records for one source file (lcov and genhtml sum
# them), so concatenation is a valid merge.  Only lcov input is handled:
# that is what clang source-based coverage produces with
# --experimental_generate_llvm_lcov (see .bazelrc, config "coverage").
set -euo pipefail

coverage_dir=
output_file=
reports_file=
manifest=
filter=

for arg; do
	case $arg in
	--coverage_dir=*)	coverage_dir=${arg#*=} ;;
	--output_file=*)	output_file=${arg#*=} ;;
	--reports_file=*)	reports_file=${arg#*=} ;;
	# The Java tool applies these with Matcher.matches(): anchor them.
	--filter_sources=*)	filter+="${filter:+|}(${arg#*=})" ;;
	--source_file_manifest=*) manifest=${arg#*=} ;;
	# Only for remapped (generated) sources; lcov from llvm-cov already
	# names the real source files.
	--sources_to_replace_file=*) ;;
	*)	echo "lcov_merger: ignoring unknown argument '$arg'" >&2 ;;
	esac
done

if [[ -z $output_file ]]; then
	echo "lcov_merger: --output_file is required" >&2
	exit 1
fi

if [[ -n $manifest && ! -r $manifest ]]; then
	echo "lcov_merger: cannot read $manifest" >&2
	exit 1
fi

inputs=()
if [[ -n $reports_file ]]; then
	while IFS= read -r f; do
		if [[ -s $f ]]; then
			inputs+=("$f")
		fi
	done <"$reports_file"
elif [[ -n $coverage_dir ]]; then
	# OUT may itself live in DIR and end in .dat: never read it back.
	out_abs=$(realpath -m -- "$output_file")
	while IFS= read -r -d '' f; do
		[[ $(realpath -m -- "$f") == "$out_abs" ]] || inputs+=("$f")
	done < <(find "$coverage_dir" -type f -name '*.dat' -print0 | sort -z)
else
	echo "lcov_merger: need --coverage_dir or --reports_file" >&2
	exit 1
fi

mkdir -p -- "$(dirname -- "$output_file")"
tmp=$(mktemp "$output_file.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT

if ((${#inputs[@]})); then
	# Drop whole SF..end_of_record blocks whose source matches a filter or
	# is not listed in the manifest.
	awk -v re="${filter:+^($filter)\$}" -v manifest="$manifest" '
		BEGIN {
			while (manifest != "" && (getline line <manifest) > 0)
				listed[line] = 1
		}
		/^SF:/ {
			src = substr($0, 4)
			skip = (re != "" && src ~ re) ||
			       (manifest != "" && !(src in listed))
		}
		!skip
		/^end_of_record$/ { skip = 0 }
	' "${inputs[@]}" >"$tmp"
fi

mv -f -- "$tmp" "$output_file"
trap - EXIT
