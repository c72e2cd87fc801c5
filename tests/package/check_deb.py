"""The Debian packages (issue 17): build `tome` and `libtome-dev` with CPack from the suite's
build folder, then check them without installing them on this machine: control fields and
dependencies (dpkg-deb -f), files (dpkg-deb -c), maintainer scripts and conffiles (dpkg-deb -e),
lintian with no error or warning, that apt can resolve every dependency from Debian (apt-get
--simulate), and that the packaged binary runs and accepts the packaged config.

Usage: check_deb.py BUILD_DIR WORK_DIR CPACK LIBDIR (CMAKE_INSTALL_LIBDIR, relative)"""
import glob
import os
import re
import shutil
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "deploy"))
import deploylib as d  # noqa: E402

BUILD, WORK = (os.path.abspath(a) for a in sys.argv[1:3])
CPACK = sys.argv[3]
LIBDIR = "/usr/" + sys.argv[4]


def run(argv, **kw):
    print("+", " ".join(argv), flush=True)
    return subprocess.run(argv, check=True, text=True, capture_output=True, **kw).stdout


def field(deb, name):
    return run(["dpkg-deb", "-f", deb, name]).strip()


def files(deb):
    """path -> (mode string, size) of every entry."""
    out = {}
    for line in run(["dpkg-deb", "-c", deb]).splitlines():
        parts = line.split()
        path = parts[5].lstrip(".")
        out[path.rstrip("/") or "/"] = (parts[0], int(parts[2]))
    return out


def dependency_names(depends):
    return {re.split(r"[ (]", alt.strip())[0] for dep in depends.split(",") for alt in dep.split("|")}


def check_server(deb):
    d.check(field(deb, "Package") == "tome", "package name")
    d.check(field(deb, "Version") == "0.1.0-1", "version " + field(deb, "Version"))
    d.check(field(deb, "Section") == "net", "section")
    depends = field(deb, "Depends")
    names = dependency_names(depends)
    # From dpkg-shlibdeps (what the binary links) and from the maintainer scripts.
    for need in ("libc6", "libstdc++6", "libcurl4", "zlib1g", "libyaml-cpp0.7", "adduser",
                 "init-system-helpers"):
        d.check(need in names, f"tome: Depends lacks {need}: {depends}")
    d.check(any(n.startswith("libgrpc++") for n in names), f"tome: Depends lacks libgrpc++: {depends}")
    f = files(deb)
    for p in ("/usr/bin/tome", "/etc/tome/tome.yaml", "/etc/default/tome",
              "/usr/lib/systemd/system/tome.service", "/usr/share/man/man1/tome.1.gz",
              "/usr/share/doc/tome/copyright", "/usr/share/doc/tome/changelog.Debian.gz"):
        d.check(p in f, f"tome: no {p}")
    d.check(f.get("/usr/bin/tome", ("",))[0] == "-rwxr-xr-x", "tome: /usr/bin/tome is not 0755")
    d.check(not any(p.startswith(("/usr/include", f"{LIBDIR}/cmake")) for p in f),
            "tome: holds development files")
    control = os.path.join(WORK, "control-tome")
    run(["dpkg-deb", "-e", deb, control])
    for script in ("postinst", "prerm", "postrm"):
        path = os.path.join(control, script)
        d.check(os.path.exists(path) and os.stat(path).st_mode & stat.S_IXUSR, f"tome: no executable {script}")
    postinst = open(os.path.join(control, "postinst")).read()
    d.check("adduser" in postinst and "/var/lib/tome" in postinst, "postinst does not create the user and data folder")
    conffiles = open(os.path.join(control, "conffiles")).read().split()
    d.check(sorted(conffiles) == ["/etc/default/tome", "/etc/tome/tome.yaml"], f"conffiles: {conffiles}")
    root = os.path.join(WORK, "root-tome")
    run(["dpkg-deb", "-x", deb, root])
    unit = open(os.path.join(root, "usr/lib/systemd/system/tome.service")).read()
    d.check("ExecStart=/usr/bin/tome serve --config /etc/tome/tome.yaml" in unit, "unit ExecStart:\n" + unit)
    d.check("User=tome" in unit and "ReadWritePaths=/var/lib/tome" in unit, "unit user or data folder")
    version = run([os.path.join(root, "usr/bin/tome"), "--version"]).strip()
    d.check(version == "tome 0.1.0", f"packaged tome --version: {version!r}")
    checked = run([os.path.join(root, "usr/bin/tome"), "check-config", os.path.join(root, "etc/tome/tome.yaml")])
    d.check(": OK (environment development" in checked, "the packaged config does not check: " + checked)
    return depends, f


def check_dev(deb):
    d.check(field(deb, "Package") == "libtome-dev", "dev package name")
    d.check(field(deb, "Section") == "libdevel", "dev section")
    depends = field(deb, "Depends")
    names = dependency_names(depends)
    for need in ("libcurl4-openssl-dev", "zlib1g-dev", "nlohmann-json3-dev", "libyaml-cpp-dev", "libgrpc++-dev"):
        d.check(need in names, f"libtome-dev: Depends lacks {need}: {depends}")
    f = files(deb)
    for p in ("/usr/include/tome/facade/telemetry.hpp", "/usr/include/tome/version.hpp",
              f"{LIBDIR}/cmake/tome/tomeConfig.cmake", f"{LIBDIR}/cmake/tome/tomeTargets.cmake",
              f"{LIBDIR}/pkgconfig/tome.pc", f"{LIBDIR}/libtome_facade.a",
              "/usr/share/doc/libtome-dev/copyright"):
        d.check(p in f, f"libtome-dev: no {p}")
    d.check(not any(p.startswith(("/usr/bin", "/etc")) for p in f), "libtome-dev: holds server files")
    # Stripped of debug information, never of the symbols a static library needs.
    root = os.path.join(WORK, "root-dev")
    run(["dpkg-deb", "-x", deb, root])
    facade = os.path.join(root, LIBDIR.lstrip("/"), "libtome_facade.a")
    sections = run(["objdump", "-h", facade])
    d.check(".debug_info" not in sections, "libtome_facade.a still has debug information")
    symbols = run(["nm", "-C", "--defined-only", facade])
    d.check("tome::facade::Telemetry::Create" in symbols, "libtome_facade.a lost its symbols")
    return depends, f


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    run([CPACK, "-G", "DEB", "-B", WORK, "--config", os.path.join(BUILD, "CPackConfig.cmake")])
    server = glob.glob(os.path.join(WORK, "tome_*.deb"))
    dev = glob.glob(os.path.join(WORK, "libtome-dev_*.deb"))
    if len(server) != 1 or len(dev) != 1:
        d.check(False, f"cpack made {os.listdir(WORK)}")
        d.finish()
    server_depends, _ = check_server(server[0])
    dev_depends, _ = check_dev(dev[0])

    # lintian: no error and no warning (its tags are printed either way).
    lint = subprocess.run(["lintian", "--fail-on", "error,warning", "--tag-display-limit", "0",
                           server[0], dev[0]], text=True, capture_output=True)
    print(lint.stdout + lint.stderr, end="")
    d.check(lint.returncode == 0, "lintian reported errors or warnings (above)")

    # Every dependency resolvable from Debian's archive (as root: apt needs its lock).
    if os.geteuid() == 0:
        sim = subprocess.run(["apt-get", "install", "--simulate", "-qq", server[0], dev[0]],
                             text=True, capture_output=True)
        d.check(sim.returncode == 0, "apt-get --simulate could not resolve the dependencies:\n" + sim.stdout + sim.stderr)

    for deb in server + dev:
        print(f"{os.path.basename(deb)}: {os.path.getsize(deb)} bytes")
    print("tome Depends:", server_depends)
    print("libtome-dev Depends:", dev_depends)
    d.finish()
    print("check_deb: passed")


if __name__ == "__main__":
    main()
