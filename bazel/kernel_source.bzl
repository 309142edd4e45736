"""@linux_gpuvm: upstream's drm_gpuvm.c and the kernel headers it needs.

Nothing of the kernel is ever committed here.  The files come from either

* Debian's linux-source-6.12 package (the default; ./bazelw installs it):
  the few files below are extracted from /usr/src/linux-source-6.12.tar.xz
  into a cache folder ($XDG_CACHE_HOME or ~/.cache, gpuvm-fuzz/), checked
  against pinned SHA-256 sums each time and linked into this external
  repository; or
* a kernel tree named by KERNEL_SRC=/path/to/linux (6.8 or later), whose
  files are linked in as they are, so a patch under review can be fuzzed.

Besides drm_gpuvm.c the backend builds the tree's own lib/rbtree.c and,
where the tree has it, drivers/gpu/drm/drm_exec.c (the locking helper
GPUVM's exec functions are built on); a tree without it (a hand-assembled
one) gets kcompat/drm_exec.c instead, and a DEBUG line says so.

The repository also holds two generated headers:

* gvm_upstream_era.h: GVM_UPSTREAM_HAS_* for the API features the tree has, so the
  backend can follow the tree's API era;
* gvm_upstream_rename.h: "#define name upstream_name" for every symbol the tree's
  drm_gpuvm.c, rbtree.c and drm_exec.c export, forced into every upstream
  compile so that upstream links into one binary with lib/, which defines
  the same names.

Any problem ends the fetch with one "kernel_source: ..." line, before
anything is compiled.
"""

# The files the upstream backend compiles, as paths in a kernel tree.
_SOURCES = [
    "drivers/gpu/drm/drm_gpuvm.c",
    "lib/rbtree.c",
]

# Built when the tree has it; kcompat/drm_exec.c otherwise.
_OPTIONAL_SOURCES = [
    "drivers/gpu/drm/drm_exec.c",
]

# What kcompat/drm_exec.c defines, renamed like the tree's exports when it
# stands in for the tree's drm_exec.c.
_DRM_EXEC_EXPORTS = [
    "drm_exec_init",
    "drm_exec_fini",
    "drm_exec_cleanup",
    "drm_exec_lock_obj",
    "drm_exec_unlock_obj",
    "drm_exec_prepare_obj",
    "drm_exec_prepare_array",
]

_HEADERS = [
    "include/drm/drm_gpuvm.h",
    "include/drm/drm_exec.h",
    "include/linux/container_of.h",
    "include/linux/interval_tree_generic.h",
    "include/linux/kref.h",
    "include/linux/list.h",
    "include/linux/poison.h",
    "include/linux/rbtree.h",
    "include/linux/rbtree_augmented.h",
    "include/linux/rbtree_types.h",
]

# The pinned Debian package and the SHA-256 of each file we take from it.
# A different package version is accepted as long as these files match.
_DEB_PACKAGE = "linux-source-6.12"
_DEB_VERSION = "6.12.117-1~deb12u1"
_DEB_TARBALL = "/usr/src/linux-source-6.12.tar.xz"
_DEB_TOPDIR = "linux-source-6.12"
_DEB_SHA256 = {
    "drivers/gpu/drm/drm_gpuvm.c": "d60a5a0e5b5eb3f94ffc1fd5c12933f6aa382f4f3a029bef6ba159504b4d3fe6",
    "drivers/gpu/drm/drm_exec.c": "614679b81007c65eb37142c63d9dce9db622aa646b4d3caed72b64a743f40cee",
    "lib/rbtree.c": "af9e0683db2dc9ce457a3262d9aaa8c73ce46cb5019e1a968502bb30d69f5dd5",
    "include/drm/drm_gpuvm.h": "704c2fa1efd94b69fecffa8e8c5a9ad81a1ea0e43d4f25aad0f1d0aaf49faab3",
    "include/drm/drm_exec.h": "98ec19aabea147b2c62f264a02bdbdad498ce0d8294d6628c27f710c7833bff0",
    "include/linux/container_of.h": "cc64aad0fb9e1c8e0cb91429c993d332db4fa98bb6a2090e0729b64410954c86",
    "include/linux/interval_tree_generic.h": "be967d888816b1c1d859ba02478cbea1a684e1f2180debef0c33d27f828f48f1",
    "include/linux/kref.h": "2b61168bda14afedf4a56f7688ddc29eff393ceb42001b0d21461e12600035e7",
    "include/linux/list.h": "fa071a16f5c77dd8d557f9523aa51d3343135ca503a046eeb3a88abe1058e6bb",
    "include/linux/poison.h": "fef6de013307032b7d607b3229409046e6398893c0c1661db039434308e2da7e",
    "include/linux/rbtree.h": "f80d6c4d8ed7ac6f4714a500e4080bcd5070279496a82f602b517055bbbcbd6e",
    "include/linux/rbtree_augmented.h": "6d9e24ee6482b468d4661eb23bfbeed490cce0aea7ba87c0ebe73101d4f168c4",
    "include/linux/rbtree_types.h": "bb78534d4212776381b3b849ad6ce1009b9d3fdfb87e19f51e5e9449e7f03e22",
}

# API features, each detected by a marker in the tree's drm_gpuvm.h or .c:
# (macro suffix, marker, file, first release).
_FEATURES = [
    ("VM_BO", "drm_gpuvm_bo_obtain_prealloc", "include/drm/drm_gpuvm.h", "6.8"),
    ("MAP_REQ", "struct drm_gpuvm_map_req", "include/drm/drm_gpuvm.h", "6.17"),
    ("SM_MAP_EXEC_LOCK", "drm_gpuvm_sm_map_exec_lock", "include/drm/drm_gpuvm.h", "6.17"),
    ("MADVISE", "drm_gpuvm_madvise_ops_create", "include/drm/drm_gpuvm.h", "6.18"),
    ("IMMEDIATE_MODE", "DRM_GPUVM_IMMEDIATE_MODE", "include/drm/drm_gpuvm.h", "6.18"),
    # The .c taking the GEM's gpuva mutex itself: with the deferred vm_bo
    # API (6.18's .c only asserts it, through drm_gem.h).
    ("GEM_GPUVA_MUTEX", "gpuva.lock)", "drivers/gpu/drm/drm_gpuvm.c", "6.19"),
    ("DEFERRED_CLEANUP", "drm_gpuvm_bo_deferred_cleanup", "include/drm/drm_gpuvm.h", "6.19"),
    ("OBTAIN_LOCKED", "drm_gpuvm_bo_obtain_locked", "include/drm/drm_gpuvm.h", "7.0"),
    ("CONST_OPS", "drm_gpuva_unmap(const struct", "include/drm/drm_gpuvm.h", "7.0"),
]

# The eras the backend supports, each a set of the features after VM_BO
# that a tree must have exactly: none of them (6.8 to 6.16), map_req with
# sm_map_exec_lock (the 6.17 API), those with madvise and immediate mode
# (the 6.18 API), those with the deferred vm_bo API and the .c taking the
# gpuva mutex (the 6.19 API), and all of them (the 7.0 API). A tree with
# another mix (a branch that backported part of a series) is refused,
# naming what it has and lacks.
_NEWER = [f[0] for f in _FEATURES[1:]]
_ERAS = [
    ("6.8 to 6.16", []),
    ("6.17", ["MAP_REQ", "SM_MAP_EXEC_LOCK"]),
    ("6.18", ["MAP_REQ", "SM_MAP_EXEC_LOCK", "MADVISE", "IMMEDIATE_MODE"]),
    ("6.19", ["MAP_REQ", "SM_MAP_EXEC_LOCK", "MADVISE", "IMMEDIATE_MODE", "GEM_GPUVA_MUTEX",
              "DEFERRED_CLEANUP"]),
    ("7.0", _NEWER),
]
_SUPPORTED = ("Linux 6.8 to 6.16 (tested: Debian's 6.12), the 6.17 API (tested: " +
              "torvalds/linux at 000a45dce7ad), the 6.18 API (not run on a 6.18 " +
              "tree yet), the 6.19 API (checked on an assembly of 6.19-API " +
              "drm_gpuvm.[ch] from two vendor trees) and the 7.0 API (tested: " +
              "linux-mm's drm_gpuvm.[ch] at d6f2390026b3)")

# Eras accepted without a release tree of theirs having been run here
# (README, "What has been tested"): a warning says so when one is used.
_UNTESTED = {
    "6.18": "no 6.18 tree has been built here yet",
    "6.19": "only an assembly of 6.19-API files from two vendor trees was tested",
}

def _fail(msg):
    fail("kernel_source: " + msg)

def _hashes(rctx, root):
    """SHA-256 of each file we take, under @root; missing files are absent."""
    paths = [root + "/" + f for f in _SOURCES + _OPTIONAL_SOURCES + _HEADERS]
    res = rctx.execute(["sha256sum"] + paths)
    got = {}
    for line in res.stdout.splitlines():
        parts = line.split("  ", 1)
        if len(parts) == 2:
            got[parts[1][len(root) + 1:]] = parts[0]
    return got

def _check_hashes(rctx, root, version):
    """Fail, naming the file and both sums, unless all match the pins."""
    got = _hashes(rctx, root)
    for f in _SOURCES + _OPTIONAL_SOURCES + _HEADERS:
        if got.get(f) != _DEB_SHA256[f]:
            _fail("%s from %s %s: SHA-256 %s, expected %s (pinned: %s %s)" %
                  (f, _DEB_PACKAGE, version, got.get(f, "missing"), _DEB_SHA256[f],
                   _DEB_PACKAGE, _DEB_VERSION))

def _extract(rctx, tarball, dest):
    members = [_DEB_TOPDIR + "/" + f for f in _SOURCES + _OPTIONAL_SOURCES + _HEADERS]
    res = rctx.execute(
        ["tar", "-xJf", str(tarball), "-C", dest, "--strip-components=1"] + members,
        timeout = 600,
    )
    if res.return_code:
        _fail("cannot extract from %s: %s" % (_DEB_TARBALL, res.stderr.strip()))

def _cache_dir(rctx, tarball, version):
    """A folder outside the tree that keeps the extracted files across Bazel
    servers (the rule re-runs at each start, and extracting takes ~10 s),
    named by package version and the tarball's size and mtime; None if it
    cannot be made."""
    base = rctx.os.environ.get("XDG_CACHE_HOME", "")
    if not base and rctx.os.environ.get("HOME", ""):
        base = rctx.os.environ["HOME"] + "/.cache"
    stat = rctx.execute(["stat", "-L", "-c", "%s-%Y", str(tarball)])
    if not base or stat.return_code:
        return None
    root = base + "/gpuvm-fuzz"
    if rctx.execute(["mkdir", "-p", root]).return_code:
        return None
    return "%s/%s-%s-%s" % (root, _DEB_PACKAGE, version.replace("~", "_"), stat.stdout.strip())

def _from_package(rctx):
    """Debian's tarball's files, extracted once into the cache and checked
    against the pinned hashes every time, then linked in."""
    tarball = rctx.path(_DEB_TARBALL)
    if not tarball.exists:
        _fail("%s not found: install %s (./bazelw does) or set KERNEL_SRC=/path/to/linux" %
              (_DEB_TARBALL, _DEB_PACKAGE))
    res = rctx.execute(["dpkg-query", "-W", "-f=${Version}", _DEB_PACKAGE])
    version = res.stdout.strip() if res.return_code == 0 else "unknown"
    origin = "%s %s" % (_DEB_PACKAGE, version)
    cache = _cache_dir(rctx, tarball, version)

    if not cache:
        # No cache: extract into this repository.
        rctx.file("src/.extracted", "")
        _extract(rctx, tarball, str(rctx.path("src")))
        _check_hashes(rctx, str(rctx.path("src")), version)
        return origin
    if _hashes(rctx, cache) != _DEB_SHA256:
        # First use, or a damaged cache: extract next to it, then swap in.
        tmp = rctx.execute(["mktemp", "-d", cache + ".tmp.XXXXXX"]).stdout.strip()
        if not tmp:
            _fail("cannot create a folder next to %s" % cache)
        _extract(rctx, tarball, tmp)
        _check_hashes(rctx, tmp, version)
        rctx.execute(["rm", "-rf", cache])
        if rctx.execute(["mv", "-T", tmp, cache]).return_code:
            rctx.execute(["rm", "-rf", tmp])
    _check_hashes(rctx, cache, version)
    for f in _SOURCES + _OPTIONAL_SOURCES + _HEADERS:
        rctx.symlink(cache + "/" + f, "src/" + f)
    return origin

def _makefile_version(rctx, root):
    """"6.12.0" from a tree's top Makefile, or "" if it has none."""
    mk = root.get_child("Makefile")
    if not mk.exists:
        return ""
    fields = {}
    for line in rctx.read(mk).splitlines()[:10]:
        parts = line.split("=")
        if len(parts) == 2 and parts[0].strip() in ["VERSION", "PATCHLEVEL", "SUBLEVEL"]:
            fields[parts[0].strip()] = parts[1].strip()
    if len(fields) != 3:
        return ""
    return "%s.%s.%s" % (fields["VERSION"], fields["PATCHLEVEL"], fields["SUBLEVEL"])

def _from_tree(rctx, ksrc):
    """Link the files of the kernel tree at @ksrc."""
    root = rctx.path(ksrc)
    if not ksrc.startswith("/"):
        _fail("KERNEL_SRC=%s: must be an absolute path" % ksrc)
    if not root.exists:
        _fail("KERNEL_SRC=%s: no such directory" % ksrc)
    if not root.get_child("Makefile").exists or not root.get_child("include").exists:
        _fail("KERNEL_SRC=%s: not a kernel tree (no Makefile and include/)" % ksrc)
    for f in _SOURCES + _HEADERS:
        p = rctx.path(ksrc + "/" + f)
        if not p.exists:
            _fail("KERNEL_SRC=%s: no %s (GPUVM needs Linux 6.8 or later)" % (ksrc, f))
        rctx.symlink(p, "src/" + f)
    for f in _OPTIONAL_SOURCES:
        p = rctx.path(ksrc + "/" + f)
        if p.exists:
            rctx.symlink(p, "src/" + f)
    version = _makefile_version(rctx, root)
    return "%s (Linux %s)" % (ksrc, version or "version unknown")

def _detect(rctx, origin):
    """GVM_UPSTREAM_HAS_* for gvm_upstream_era.h; fails on an unsupported era."""
    texts = {}
    has = {}
    for name, marker, f, _since in _FEATURES:
        if f not in texts:
            texts[f] = rctx.read(rctx.path("src/" + f))
        has[name] = marker in texts[f]
    if not has["VM_BO"]:
        _fail("%s: drm_gpuvm.h has no vm_bo API (before 6.8): not supported; supported: %s" %
              (origin, _SUPPORTED))
    present = [n for n in _NEWER if has[n]]
    for name, features in _ERAS:
        if present == features:
            if name in _UNTESTED:
                # buildifier: disable=print
                print("kernel_source: %s: the %s API era is adapted but %s; " % (origin, name, _UNTESTED[name]) +
                      "a build or test failure may be ours: please report it")
            return has
    since = {n: s for n, _m, _f, s in _FEATURES}
    _fail("%s: API era with %s but without %s is not supported yet; supported: %s" %
          (origin, ", ".join(["%s (%s)" % (n.lower(), since[n]) for n in present]),
           ", ".join(["%s (%s)" % (n.lower(), since[n]) for n in _NEWER if not has[n]]),
           _SUPPORTED))

def _exported(rctx, sources):
    """Every name @sources EXPORT_SYMBOL, in file order."""
    names = []
    for f in sources:
        for line in rctx.read(rctx.path("src/" + f)).splitlines():
            if not line.startswith("EXPORT_SYMBOL"):
                continue
            name = line[line.find("(") + 1:line.find(")")].strip()
            if name and name not in names:
                names.append(name)
    return names

_BUILD = """\
# Generated by //bazel:kernel_source.bzl from {origin}.
package(default_visibility = ["//visibility:public"])

exports_files(glob(["src/**/*.c"]) + ["gvm_upstream_era.h", "gvm_upstream_rename.h"])

# The drm_exec.c the backend builds: {drm_exec_origin}.
alias(
    name = "drm_exec.c",
    actual = "{drm_exec}",
)

# The tree's headers come after our shims (-I) and before the system's, as
# -isystem: upstream's own headers are not ours to warn about. The
# generated headers are included as <gvm_upstream_*.h>.
cc_library(
    name = "headers",
    hdrs = glob(["src/include/**/*.h"]) + ["gvm_upstream_era.h", "gvm_upstream_rename.h"],
    includes = ["src/include", "."],
)
"""

def _kernel_source_impl(rctx):
    ksrc = rctx.os.environ.get("KERNEL_SRC", "")
    if ksrc:
        origin = _from_tree(rctx, ksrc)
    else:
        origin = _from_package(rctx)
    has = _detect(rctx, origin)

    era = ["/* Generated by //bazel:kernel_source.bzl: the API era of %s. */" % origin]
    era.append("#define GVM_UPSTREAM_ORIGIN \"%s\"" % origin.replace("\"", ""))
    for name, _m, _f, since in _FEATURES:
        era.append("#define GVM_UPSTREAM_HAS_%s %d\t/* %s+ */" % (name, 1 if has[name] else 0, since))
    rctx.file("gvm_upstream_era.h", "\n".join(era) + "\n")

    has_exec = rctx.path("src/" + _OPTIONAL_SOURCES[0]).exists
    sources = _SOURCES + (_OPTIONAL_SOURCES if has_exec else [])
    exports = _exported(rctx, sources)
    if not has_exec:
        exports += _DRM_EXEC_EXPORTS
        # buildifier: disable=print
        print("kernel_source: %s: no %s; building kcompat/drm_exec.c in its place" %
              (origin, _OPTIONAL_SOURCES[0]))
    rename = ["/* Generated by //bazel:kernel_source.bzl: upstream's exports, renamed. */"]
    for name in exports:
        rename.append("#define %s upstream_%s" % (name, name))
    rctx.file("gvm_upstream_rename.h", "\n".join(rename) + "\n")

    rctx.file("BUILD.bazel", _BUILD.format(
        origin = origin,
        drm_exec = ":src/" + _OPTIONAL_SOURCES[0] if has_exec else "@//kcompat:drm_exec.c",
        drm_exec_origin = "the tree's" if has_exec else "kcompat/drm_exec.c, the tree has none",
    ))
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)

kernel_source = repository_rule(
    implementation = _kernel_source_impl,
    environ = ["KERNEL_SRC"],
    local = True,
    doc = "Upstream's drm_gpuvm.c and headers, from Debian's package or KERNEL_SRC.",
)
