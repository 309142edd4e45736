"""@gvm_fuzz_targets: fuzz/targets.def, the table of fuzz targets, for BUILD files.

The C code reads fuzz/targets.def as an X-macro; Starlark cannot read a
source file at load time, so this repository rule parses it once (and again
whenever it changes) into @gvm_fuzz_targets//:targets.bzl:

    FUZZ_TARGETS = [struct(name, input, a, b, check, ci, corpus), ...]

with every field the word of its column ("none" where the table says
none), in the table's order, and corpus derived as tools/targets derives
it: the folder under corpus/ the target starts from, <input>_fuzzer, or
its own name for a target without input format.  A malformed row ends the fetch with one
"fuzz_targets: fuzz/targets.def:N: ..." line.
"""

_TABLE = "//fuzz:targets.def"
_COLUMNS = ["name", "input", "a", "b", "check", "ci"]
_WORDS = {
    "a": ["lean", "upstream", "none"],
    "b": ["lean", "upstream", "none"],
    "check": ["every", "end"],
    "ci": ["ci", "manual"],
}

def _fail(line, msg):
    fail("fuzz_targets: fuzz/targets.def:%d: %s" % (line, msg))

def _parse(text):
    rows = []
    seen = {}
    for n, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if not line.startswith("GVM_FUZZ_TARGET("):
            continue
        if not line.endswith(")"):
            _fail(n + 1, "a row is GVM_FUZZ_TARGET(...) on one line")
        fields = [f.strip() for f in line[len("GVM_FUZZ_TARGET("):-1].split(",")]
        if len(fields) != len(_COLUMNS):
            _fail(n + 1, "%d fields, want %d: %s" % (len(fields), len(_COLUMNS), ", ".join(_COLUMNS)))
        row = dict(zip(_COLUMNS, fields))
        for col, words in _WORDS.items():
            if row[col] not in words:
                _fail(n + 1, "%s is '%s', not one of %s" % (col, row[col], ", ".join(words)))
        if row["name"] in seen:
            _fail(n + 1, "%s is already the name of the row on line %d" % (row["name"], seen[row["name"]]))
        seen[row["name"]] = n + 1
        rows.append(row)
    if not rows:
        fail("fuzz_targets: fuzz/targets.def has no GVM_FUZZ_TARGET rows")
    return rows

def _fuzz_targets_impl(rctx):
    rows = _parse(rctx.read(rctx.path(Label(_TABLE))))
    out = ["# Generated from fuzz/targets.def by bazel/fuzz_targets.bzl.", "FUZZ_TARGETS = ["]
    for row in rows:
        corpus = row["name"] if row["input"] == "none" else row["input"] + "_fuzzer"
        out.append("    struct(%s, corpus = %r)," % (", ".join(["%s = %r" % (c, row[c]) for c in _COLUMNS]), corpus))
    out.append("]")
    rctx.file("targets.bzl", "\n".join(out) + "\n")
    rctx.file("BUILD.bazel", "exports_files([\"targets.bzl\"])\n")

fuzz_targets = repository_rule(
    implementation = _fuzz_targets_impl,
    local = False,
)
