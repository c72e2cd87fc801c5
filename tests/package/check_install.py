"""tome as a library (issue 17): install the build into an empty prefix, build examples/orders
against that prefix only (find_package(tome) with GCC and with Clang, and with pkg-config tome),
run each against
the installed `tome serve` (its console is an OTLP receiver) and check that the example's spans,
log records and metrics arrived there, with their trace ids. Then configure the same example
with tome's sources as a subproject (configure only: building all of tome again is what the
suite's own build already does).

Usage: check_install.py BUILD_DIR WORK_DIR CMAKE CXX LIBDIR (CMAKE_INSTALL_LIBDIR, relative)"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "deploy"))
import deploylib as d  # noqa: E402  (processes by pid, polling with a deadline, checks)

REPO = d.REPO
BUILD, WORK, CMAKE, CXX, LIBDIR = (os.path.abspath(a) if i < 2 else a for i, a in enumerate(sys.argv[1:6]))
PREFIX = os.path.join(WORK, "prefix")
ORDERS = 5


def run(argv, **kw):
    print("+", " ".join(argv), flush=True)
    return subprocess.run(argv, check=True, text=True, **kw)


def paths_under(root, text):
    return re.findall(re.escape(root) + r"[^\s\"';:)]*", text)


def source_tree_paths(text):
    """Paths into tome's sources. The test's own folders (under the build folder, which may
    itself sit in the source tree) do not count."""
    return [p for p in paths_under(REPO, text) if not p.startswith((BUILD, WORK))]


def build_tree_paths(text):
    return [p for p in paths_under(BUILD, text) if not p.startswith(WORK)]


def install():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    for component in ("dev", "server"):
        run([CMAKE, "--install", BUILD, "--prefix", PREFIX, "--component", component],
            stdout=subprocess.DEVNULL)
    for rel in ("bin/tome", "include/tome/version.hpp", "include/tome/facade/telemetry.hpp",
                f"{LIBDIR}/cmake/tome/tomeConfig.cmake", f"{LIBDIR}/cmake/tome/tomeConfigVersion.cmake",
                f"{LIBDIR}/cmake/tome/tomeTargets.cmake", f"{LIBDIR}/pkgconfig/tome.pc",
                f"{LIBDIR}/pkgconfig/tome-telemetry.pc", f"{LIBDIR}/libtome_facade.a",
                "etc/tome/tome.yaml", "etc/default/tome", "lib/systemd/system/tome.service",
                "share/man/man1/tome.1.gz"):
        d.check(os.path.exists(os.path.join(PREFIX, rel)), f"not installed: {rel}")
    unit = open(os.path.join(PREFIX, "lib/systemd/system/tome.service")).read()
    d.check(f"ExecStart={PREFIX}/bin/tome serve --config {PREFIX}/etc/tome/tome.yaml" in unit,
            "the unit's ExecStart does not name the installed binary and config:\n" + unit)
    # Nothing of the build or source tree leaks into the installed package files.
    for f in glob.glob(os.path.join(PREFIX, LIBDIR, "cmake/tome/*.cmake")) + \
            glob.glob(os.path.join(PREFIX, LIBDIR, "pkgconfig/*.pc")):
        text = open(f).read()
        d.check(not source_tree_paths(text) and not build_tree_paths(text),
                f"{f} names the source or build tree")


def build_with_cmake(compiler, name):
    """The example copied out of the tree, configured with the prefix as its only way to tome."""
    src = os.path.join(WORK, "orders-src")
    if not os.path.exists(src):
        shutil.copytree(os.path.join(REPO, "examples", "orders"), src)
    out = os.path.join(WORK, name)
    run([CMAKE, "-S", src, "-B", out, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
         f"-DCMAKE_PREFIX_PATH={PREFIX}", f"-DCMAKE_CXX_COMPILER={compiler}"], stdout=subprocess.DEVNULL)
    run([CMAKE, "--build", out], stdout=subprocess.DEVNULL)
    cache = open(os.path.join(out, "CMakeCache.txt")).read()
    d.check(f"tome_DIR:PATH={PREFIX}/{LIBDIR}/cmake/tome" in cache, "find_package(tome) did not use the prefix")
    ninja = open(os.path.join(out, "build.ninja")).read()
    d.check(not source_tree_paths(ninja), f"the example's build refers to tome's source tree: "
                                          f"{source_tree_paths(ninja)[:3]}")
    return os.path.join(out, "orders")


def compile_every_header():
    """Every installed header in one translation unit, with GCC and with Clang: none of them
    needs a header that was not installed, and both compilers accept them."""
    include = os.path.join(PREFIX, "include")
    headers = sorted(os.path.relpath(p, include)
                     for p in glob.glob(os.path.join(include, "tome", "**", "*.hpp"), recursive=True))
    d.check(len(headers) > 50, f"only {len(headers)} headers installed")
    tu = os.path.join(WORK, "all_headers.cpp")
    with open(tu, "w") as f:
        f.writelines(f"#include <{h}>\n" for h in headers)
    for compiler in (CXX, shutil.which("clang++") or "clang++"):
        r = subprocess.run([compiler, "-std=c++20", "-fsyntax-only", "-I", include, tu],
                           text=True, capture_output=True)
        d.check(r.returncode == 0, f"{compiler}: the installed headers do not compile:\n{r.stderr[-3000:]}")


def build_with_pkg_config():
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(PREFIX, LIBDIR, "pkgconfig"))
    flags = run(["pkg-config", "--cflags", "--libs", "tome"], env=env, capture_output=True).stdout.split()
    binary = os.path.join(WORK, "orders-pkg-config")
    run([CXX, "-O1", "-DORDERS_VERSION=\"1.0.0-pc\"", os.path.join(REPO, "examples", "orders", "main.cpp"),
         "-o", binary, *flags])
    return binary


def api(base, path):
    status, body = d.http_get(base + path, timeout=5)
    doc = json.loads(body)
    if status != 200 or not doc.get("success"):
        raise ValueError(f"{path}: {status} {body[:300]}")
    return doc["data"]


def run_orders(binary, base, count, service):
    env = dict(os.environ, OTEL_EXPORTER_OTLP_ENDPOINT=base, OTEL_SERVICE_NAME=service)
    out = run([binary, str(count)], env=env, capture_output=True, timeout=60).stdout
    print(out, end="")
    traces = [line.split()[3] for line in out.splitlines() if line.startswith("order ")]
    d.check(len(traces) == count, f"{binary} printed {len(traces)} trace ids, expected {count}")
    d.check(f"{3 * count} spans and {count} log records exported, 0 dropped" in out,
            f"{binary}: unexpected export summary:\n{out}")
    return traces


def check_arrived(base, service, traces):
    for trace_id in traces:
        t = d.poll(lambda: api(base, f"/console/api/traces/{trace_id}"), 20, f"trace {trace_id}")
        names = sorted(s["name"] for s in t["spans"])
        d.check(names == ["inventory.reserve", "order.place", "payment.charge"],
                f"trace {trace_id}: spans {names}")
        d.check(all(s["service"] == service for s in t["spans"]), f"trace {trace_id}: wrong service")
        root = next(s for s in t["spans"] if s["name"] == "order.place")
        d.check(root["kind"] == "server", f"trace {trace_id}: root kind {root['kind']}")
        d.check(all(s.get("parentSpanId") == root["spanId"] for s in t["spans"] if s is not root),
                f"trace {trace_id}: children are not children of order.place")
    q = urllib.parse.urlencode({"service": service, "limit": 100})
    logs = d.poll(lambda: api(base, f"/console/api/logs?{q}")["logs"] or None, 20, f"logs of {service}")
    d.check(sorted(r.get("traceId") for r in logs) == sorted(traces),
            f"{service}: log records' trace ids {[r.get('traceId') for r in logs]} != {traces}")
    d.check(all(r["body"] == "order placed" for r in logs), f"{service}: unexpected log bodies")
    series = d.poll(lambda: [s for s in api(base, "/console/api/metrics/orders.placed?window=1h")["series"]
                             if s["service"] == service] or None, 20, f"orders.placed of {service}")
    total = max(p["value"] for s in series for p in s["points"])
    d.check(total == len(traces), f"{service}: orders.placed = {total}, expected {len(traces)}")


def configure_as_subproject():
    out = os.path.join(WORK, "orders-subproject")
    run([CMAKE, "-S", os.path.join(REPO, "examples", "orders"), "-B", out, "-G", "Ninja",
         f"-DTOME_SOURCE_DIR={REPO}", "-DTOME_BUILD_UI=OFF", f"-DCMAKE_CXX_COMPILER={CXX}"],
        stdout=subprocess.DEVNULL)
    # What building `orders` would run: tome's libraries under the facade, nothing else of tome.
    commands = run(["ninja", "-C", out, "-t", "commands", "orders"], capture_output=True).stdout
    built = set(re.findall(r"_deps/tome-build/([a-z_]+)/", commands))
    d.check({"facade", "telemetry", "core"} <= built, f"building orders would not build tome's libraries: {built}")
    d.check(not built & {"console", "app", "server", "tests", "bench"},
            f"building orders would build more of tome than it links: {sorted(built)}")
    # tome's own tests and install rules stay out of a parent project.
    d.check(not os.path.exists(os.path.join(out, "_deps", "tome-build", "tests")),
            "tome's tests were configured inside the parent project")
    with open(os.path.join(out, "_deps", "tome-build", "cmake_install.cmake")) as f:
        d.check("tomeTargets" not in f.read(), "tome added its install rules to the parent project")


def main():
    install()
    d.finish()
    compile_every_header()
    d.finish()
    by_cmake = build_with_cmake(CXX, "orders-gcc")
    # Clang 14 against the GCC-built libraries: the same libstdc++, another compiler's ABI.
    by_clang = build_with_cmake(shutil.which("clang++") or "clang++", "orders-clang")
    by_pc = build_with_pkg_config()
    server = d.start_tome(os.path.join(PREFIX, "bin", "tome"), "serve",
                          os.path.join(PREFIX, "etc", "tome", "tome.yaml"), 0,
                          {"TOME_ENV": "development", "TOME_CONSOLE_GRPC_PORT": "0",
                           "TOME_DATA_DIR": os.path.join(WORK, "data"),
                           "OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none",
                           "OTEL_LOGS_EXPORTER": "none"},
                          os.path.join(WORK, "tome.log"))
    try:
        port = d.wait_tome_port_from_output(server)
        base = f"http://127.0.0.1:{port}"
        d.wait_healthy(base, server)
        check_arrived(base, "orders-cmake", run_orders(by_cmake, base, ORDERS, "orders-cmake"))
        check_arrived(base, "orders-clang", run_orders(by_clang, base, 2, "orders-clang"))
        check_arrived(base, "orders-pkg-config", run_orders(by_pc, base, 2, "orders-pkg-config"))
    finally:
        code = server.stop()
        d.check(code == 0, f"tome serve exited {code}:\n" + server.output()[-2000:])
    configure_as_subproject()
    d.finish()
    print("check_install: passed")


if __name__ == "__main__":
    main()
