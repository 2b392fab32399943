"""A real two-node Ray cluster on loopback for the tests: `ray start --head` plus a second node.

Each node has its own temp dir, one CPU and a custom resource naming it; `stop_node` ends
one node (its raylet and its workers), `stop` the whole cluster, touching no other Ray on
the machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAY = str(Path(sys.executable).parent / "ray")
ENV = {**os.environ, "RAY_AUTH_MODE": "disabled"}
COMMON = ["--num-cpus=1", "--disable-usage-stats", "--object-store-memory=300000000"]


class Cluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cr", dir="/tmp"))
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"

    def start(self) -> Cluster:
        self._ray("start", "--head", f"--port={self.port}", f"--temp-dir={self.root}/h",
                  "--include-dashboard=false", '--resources={"head": 1}', *COMMON)
        self.start_node()
        return self

    def start_node(self) -> None:
        self._ray("start", f"--address={self.address}", f"--temp-dir={self.root}/n2",
                  '--resources={"node2": 1}', *COMMON)

    def workers_of_node2(self) -> list[int]:
        """PIDs of the second node's Ray worker processes (not its agents)."""
        raylet = self._pids(f"raylet --raylet_socket_name={self.root}/n2/")
        found = []
        for parent in raylet:
            children = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True)
            for pid in map(int, children.stdout.split()):
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                if "Agent" not in command:
                    found.append(pid)
        return found

    def kill_node2(self) -> None:
        """The second node dies as a machine would: its raylet and every process under it."""
        for raylet in self._pids(f"raylet --raylet_socket_name={self.root}/n2/"):
            children = subprocess.run(["pgrep", "-P", str(raylet)], capture_output=True, text=True)
            for pid in [raylet, *map(int, children.stdout.split())]:
                _kill(pid)
        for pid in self._pids(f"{self.root}/n2/"):
            _kill(pid)

    def stop(self) -> None:
        """Kill every process of this cluster: those whose command line names its temp dir,
        and their children (the workers)."""
        for _ in range(3):
            pids = self._pids(str(self.root))
            for pid in pids:
                children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
                for child in map(int, children.stdout.split()):
                    _kill(child)
                _kill(pid)
            if not pids:
                break
            time.sleep(1)
        shutil.rmtree(self.root, ignore_errors=True)

    def _ray(self, *args: str) -> None:
        result = subprocess.run([RAY, *args], capture_output=True, text=True, env=ENV, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"ray {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    @staticmethod
    def _pids(pattern: str) -> list[int]:
        found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split() if int(pid) != os.getpid()]


def _free_port() -> int:
    """A TCP port nothing listens on now (two test sessions never collide on a fixed one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
