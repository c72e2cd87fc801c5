"""What the Python tests that run real `tome serve` processes share (tests/durability, tests/tls):
a failure type and checks, the environment a test's tome runs in, and one tome process started,
waited for and stopped by its pid.

Deadlines are multiplied by TOME_TEST_TIME_SCALE (sanitizer builds run several times slower)."""
import json
import os
import signal
import subprocess
import time

SCALE = max(1, int(os.environ.get("TOME_TEST_TIME_SCALE", "1") or "1"))


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def short(value, limit=400):
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "..."


def tome_env(data_dir, **extra):
    """The test's environment without its TOME_*/OTEL_* variables: the development block, the
    store in `data_dir`, no OTLP/gRPC receiver, no export; then `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOME_", "OTEL_"))}
    env.update(TOME_ENV="development", TOME_DATA_DIR=data_dir, TOME_CONSOLE_GRPC_PORT="0",
               OTEL_TRACES_EXPORTER="none", OTEL_METRICS_EXPORTER="none", OTEL_LOGS_EXPORTER="none")
    env.update(extra)
    return env


def wait_for_binary(tome):
    """The binary may be missing for a moment while it is relinked."""
    deadline = time.monotonic() + 60 * SCALE
    while not (os.path.isfile(tome) and os.access(tome, os.X_OK)):
        if time.monotonic() > deadline:
            raise Failure(f"{tome} does not exist or is not executable")
        time.sleep(0.2)


class TomeServer:
    """One `tome serve --port 0 --host 127.0.0.1 --config <config>` run; stdout and stderr go to
    `log_path`. start() waits for the listening line (`ready_re`, group 1 = the port)."""

    def __init__(self, tome, config, name, log_path, env, cwd, ready_re):
        self.tome = tome
        self.config = config
        self.name = name
        self.log_path = log_path
        self.env = env
        self.cwd = cwd
        self.ready_re = ready_re
        self.proc = None
        self.port = None

    def start(self):
        wait_for_binary(self.tome)
        cmd = [self.tome, "serve", "--port", "0", "--host", "127.0.0.1", "--config", self.config]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=self.env, cwd=self.cwd)
        deadline = time.monotonic() + 20 * SCALE
        while True:
            m = self.ready_re.search(self.output())
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise Failure(f"{self.name}: tome exited with {self.proc.returncode} before listening:\n"
                              + self.tail())
            if time.monotonic() > deadline:
                raise Failure(f"{self.name}: tome did not print its listening line in {20 * SCALE} s:\n"
                              + self.tail())
            time.sleep(0.01)  # polling the log the process writes

    def output(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def tail(self, n=2500):
        return self.output()[-n:].decode("utf-8", "replace")

    def alive(self):
        check(self.proc.poll() is None, f"{self.name}: tome exited with {self.proc.returncode}:\n" + self.tail())

    def stop(self):
        """SIGTERM; returns the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20 * SCALE)
        except subprocess.TimeoutExpired:
            raise Failure(f"{self.name}: tome did not stop within {20 * SCALE} s of SIGTERM:\n" + self.tail())

    def reap(self):
        """Waits until a killed process is gone (its store lock with it)."""
        try:
            return self.proc.wait(timeout=20 * SCALE)
        except subprocess.TimeoutExpired:
            raise Failure(f"{self.name}: tome pid {self.proc.pid} still runs 20 s after SIGKILL")

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
