"""Network-namespace lab for record.py: two namespaces, one link, processes, capture.

``Lab`` is a context manager. On entry it creates two namespaces named
``ftpf<pid>-<index>-cli`` / ``-srv`` (unique per run and per scenario) joined by either a
veth pair (``veth-cli``/``veth-srv``, created directly inside the namespaces, so the host's
own interfaces are never touched) or, with ``impair``, two TAP devices joined by
linkemu.py. It assigns IPv4 and IPv6 addresses from 10.21.<index>.0/24 and
fd00:21:<index>::/64. With ``router`` a third namespace ``-rtr`` sits between them (IPv4
only): the client's link is 10.21.<index>.0/24 with the router at .1 (the address the
client sees as the server's, ``public_ip4``), the server's link 192.168.<index>.0/24 with
the server at .10 (``srv_ip4``) and the router at .1; the router forwards, and what it
does to packets (NAT, filtering) is an nftables ruleset given with ``nft()``. On exit, whatever happened, it stops every process it started (by
PID: SIGTERM, bounded wait, SIGKILL), kills any process still left inside its namespaces
(descendants of those, e.g. vsftpd's per-session children; found with ``ip netns pids``)
and deletes both namespaces.

All waits are bounded; every failure raises ``LabError`` with a readable message.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pcapflows

HERE = Path(__file__).resolve().parent


class LabError(Exception):
    pass


def run(cmd, timeout=30, check=True, **kw):
    """Run a command to completion (bounded); raise LabError on failure when check."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("text", True)
    try:
        cp = subprocess.run(cmd, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as err:
        raise LabError(f"timed out after {timeout}s: {' '.join(map(str, cmd))}") from err
    except FileNotFoundError as err:
        raise LabError(f"not found: {cmd[0]}") from err
    if check and cp.returncode != 0:
        raise LabError(f"failed (exit {cp.returncode}): {' '.join(map(str, cmd))}\n"
                       f"{(cp.stderr or '').strip()}")
    return cp


class Lab:
    def __init__(self, index, workdir, impair=None, log=print, router=False):
        self.index = index
        self.router = router
        self.workdir = Path(workdir)
        # None or {"loss": %, "reorder": %, "delay_ms": ms, "seed": n, "max_drops": n}
        self.impair = impair
        self.log = log
        tag = f"ftpf{os.getpid()}-{index}"
        self.cli = f"{tag}-cli"
        self.srv = f"{tag}-srv"
        self.rtr = f"{tag}-rtr"
        if impair:
            self.cli_if, self.srv_if = "tap-cli", "tap-srv"
        else:
            self.cli_if, self.srv_if = "veth-cli", "veth-srv"
        self.srv_ip4 = f"10.21.{index}.1"
        self.cli_ip4 = f"10.21.{index}.2"
        self.srv_ip6 = f"fd00:21:{index}::1"
        self.cli_ip6 = f"fd00:21:{index}::2"
        # The address the client connects to: the server's own, or the router's.
        self.public_ip4 = self.srv_ip4
        if router:
            self.rtr_priv_ip4 = f"192.168.{index}.1"
            self.srv_ip4 = f"192.168.{index}.10"
        self.procs = []  # (name, Popen) in start order
        self.files = []  # log files opened for the processes
        self.made_ns = []
        self.link_proc = None
        self.link_stats = None
        self.capture = None
        self.capture_stats = None
        self.offloads_disabled = True  # TAP devices have no offloads unless asked for

    # -- namespaces and link -------------------------------------------------
    def __enter__(self):
        try:
            self._create()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def ns(self, which):
        name = {"cli": self.cli, "srv": self.srv, "rtr": self.rtr}[which]
        return ["ip", "netns", "exec", name]

    def nft(self, which, ruleset):
        """Load an nftables ruleset into a namespace (a firewall or NAT for a scenario)."""
        cp = run(self.ns(which) + ["nft", "-f", "-"], input=ruleset, check=False)
        if cp.returncode != 0:
            raise LabError(f"nft in {which} failed: {cp.stderr.strip()}")

    def _create(self):
        names = [("cli", self.cli), ("srv", self.srv)] + ([("rtr", self.rtr)] if self.router else [])
        for which, name in names:
            if Path("/run/netns", name).exists():
                raise LabError(f"namespace {name} already exists")
            run(["ip", "netns", "add", name])
            self.made_ns.append(name)
            run(self.ns(which) + ["ip", "link", "set", "lo", "up"])
        if self.router:
            self._create_routed()
            return
        if self.impair:
            stats = self.workdir / "linkemu-stats.json"
            self.link_stats_path = stats
            cmd = [sys.executable, str(HERE / "linkemu.py"),
                   "--ns-a", f"/run/netns/{self.cli}", "--ns-b", f"/run/netns/{self.srv}",
                   "--tap-a", self.cli_if, "--tap-b", self.srv_if,
                   "--loss", str(self.impair["loss"]), "--reorder", str(self.impair["reorder"]),
                   "--delay-ms", str(self.impair["delay_ms"]), "--seed", str(self.impair["seed"]),
                   "--max-drops", str(self.impair.get("max_drops", 1)),
                   "--stats", str(stats), "--max-seconds", "300"]
            self.link_proc = self.start("linkemu", cmd, ns=None, stdout=subprocess.PIPE)
            line = self._read_line(self.link_proc, 10)
            if line.strip() != "READY":
                raise LabError(f"linkemu did not start: {line!r} {self._stderr('linkemu')}")
        else:
            run(["ip", "link", "add", self.cli_if, "netns", self.cli, "type", "veth",
                 "peer", "name", self.srv_if, "netns", self.srv])
            # No segmentation or checksum offload, so that the capture looks like a wire:
            # MTU-sized segments with correct checksums.
            ethtool = shutil.which("ethtool")
            self.offloads_disabled = bool(ethtool)
            if ethtool:
                for which, dev in (("cli", self.cli_if), ("srv", self.srv_if)):
                    cp = run(self.ns(which) + [ethtool, "-K", dev, "tso", "off", "gso", "off",
                                               "gro", "off", "tx", "off"], check=False)
                    if cp.returncode != 0:
                        self.offloads_disabled = False
                        self.log(f"  warning: ethtool -K {dev} failed: {cp.stderr.strip()}")
        for which, dev, ip4, ip6 in (("cli", self.cli_if, self.cli_ip4, self.cli_ip6),
                                     ("srv", self.srv_if, self.srv_ip4, self.srv_ip6)):
            run(self.ns(which) + ["ip", "addr", "add", f"{ip4}/24", "dev", dev])
            run(self.ns(which) + ["ip", "-6", "addr", "add", f"{ip6}/64", "dev", dev, "nodad"])
            run(self.ns(which) + ["ip", "link", "set", dev, "up"])
        # Wait (bounded) until both IPv6 addresses are usable.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            out = run(self.ns("cli") + ["ip", "-6", "addr", "show", "dev", self.cli_if]).stdout
            out += run(self.ns("srv") + ["ip", "-6", "addr", "show", "dev", self.srv_if]).stdout
            if "tentative" not in out and self.cli_ip6 in out and self.srv_ip6 in out:
                break
            time.sleep(0.1)
        else:
            raise LabError("IPv6 addresses did not become ready")

    def _create_routed(self):
        """cli --veth-cli/veth-pub-- rtr --veth-priv/veth-srv-- srv, IPv4 only."""
        self.rtr_pub_if, self.rtr_priv_if = "veth-pub", "veth-priv"
        run(["ip", "link", "add", self.cli_if, "netns", self.cli, "type", "veth",
             "peer", "name", self.rtr_pub_if, "netns", self.rtr])
        run(["ip", "link", "add", self.rtr_priv_if, "netns", self.rtr, "type", "veth",
             "peer", "name", self.srv_if, "netns", self.srv])
        ethtool = shutil.which("ethtool")
        self.offloads_disabled = bool(ethtool)
        links = (("cli", self.cli_if, f"{self.cli_ip4}/24"),
                 ("rtr", self.rtr_pub_if, f"{self.public_ip4}/24"),
                 ("rtr", self.rtr_priv_if, f"{self.rtr_priv_ip4}/24"),
                 ("srv", self.srv_if, f"{self.srv_ip4}/24"))
        for which, dev, addr in links:
            if ethtool:
                cp = run(self.ns(which) + [ethtool, "-K", dev, "tso", "off", "gso", "off",
                                           "gro", "off", "tx", "off"], check=False)
                if cp.returncode != 0:
                    self.offloads_disabled = False
            run(self.ns(which) + ["ip", "addr", "add", addr, "dev", dev])
            run(self.ns(which) + ["ip", "link", "set", dev, "up"])
        # Both reach the other side through the router (what the router lets through is
        # the scenario's ruleset).
        run(self.ns("srv") + ["ip", "route", "add", "default", "via", self.rtr_priv_ip4])
        run(self.ns("cli") + ["ip", "route", "add", "default", "via", self.public_ip4])
        run(self.ns("rtr") + ["sysctl", "-qw", "net.ipv4.ip_forward=1"])

    # -- processes ---------------------------------------------------------
    def start(self, name, cmd, ns="srv", stdout=None, stderr=None, cwd=None):
        """Start a long-running process (in namespace ns, or None for here)."""
        prefix = self.ns(ns) if ns else []
        if stdout is None:
            stdout = open(self.workdir / f"{name}.stdout", "w")
            self.files.append(stdout)
        if stderr is None:
            stderr = open(self.workdir / f"{name}.stderr", "w")
            self.files.append(stderr)
        try:
            p = subprocess.Popen(prefix + list(cmd), stdout=stdout, stderr=stderr,
                                 stdin=subprocess.DEVNULL, cwd=cwd, text=True)
        except FileNotFoundError as err:
            raise LabError(f"cannot start {name}: {err}") from err
        self.procs.append((name, p))
        self.log(f"  started {name} pid {p.pid}")
        return p

    def _stderr(self, name):
        path = self.workdir / f"{name}.stderr"
        try:
            return path.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    @staticmethod
    def _read_line(proc, timeout):
        """Read one stdout line from proc within timeout (stdout must be a pipe)."""
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        try:
            if not sel.select(timeout):
                return ""
            return proc.stdout.readline()
        finally:
            sel.close()

    def stop(self, proc, sig=signal.SIGTERM, timeout=5.0):
        """Stop one process we started, by PID; returns its exit code."""
        if proc.poll() is None:
            try:
                os.kill(proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.log(f"  pid {proc.pid} ignored signal {sig}; killing it")
                try:
                    os.kill(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        return proc.returncode

    def wait_listening(self, port, timeout=10.0, which="srv"):
        """Wait until something listens on TCP port in a namespace (no packet is sent)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = run(self.ns(which) + ["ss", "-Htln", f"sport = :{port}"]).stdout
            if out.strip():
                return
            for name, p in self.procs:
                if p.poll() is not None:
                    raise LabError(f"{name} exited with {p.returncode}: {self._stderr(name)}")
            time.sleep(0.05)
        raise LabError(f"nothing listens on port {port} after {timeout}s")

    def wait_closed(self, timeout=15.0):
        """Wait until no TCP connection is open in either namespace: only listeners,
        TIME-WAIT and nothing else. Returns True if that happened within timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = []
            for which in ("cli", "srv"):
                out = run(self.ns(which) + ["ss", "-Htan"]).stdout
                for line in out.splitlines():
                    state = line.split()[0] if line.split() else ""
                    if state not in ("LISTEN", "TIME-WAIT"):
                        busy.append(f"{which}: {line}")
            if not busy:
                return True
            time.sleep(0.1)
        self.log("  connections still open: " + "; ".join(busy))
        return False

    # -- capture -------------------------------------------------------------
    def start_capture(self, path, which="srv"):
        """tcpdump on the server's interface, or with which="cli" on the client's."""
        self.capture_side = which
        dev = self.cli_if if which == "cli" else self.srv_if
        cmd = ["tcpdump", "-i", dev, "-w", str(path), "-U", "--immediate-mode",
               "-s", "0", "-B", "65536", "-Z", "root", "-n", "tcp"]
        self.capture = self.start("tcpdump", cmd, ns=which)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "listening on" in self._stderr("tcpdump"):
                return
            if self.capture.poll() is not None:
                raise LabError(f"tcpdump exited: {self._stderr('tcpdump')}")
            time.sleep(0.05)
        raise LabError("tcpdump did not report 'listening on' within 10s")

    def wait_capture_written(self, path, timeout=15.0):
        """Wait until the capture file shows the end (both FINs acknowledged, or a RST) of
        every connection it holds. Call it after wait_closed: a socket closes only once
        the packet that closed it has passed the capture point, so what is left is for
        tcpdump to write it (and for the link emulator to deliver frames it holds).
        Returns the connections still unfinished at the deadline (empty: all written)."""
        deadline = time.monotonic() + timeout
        while True:
            left = pcapflows.unfinished(path)
            if not left or time.monotonic() >= deadline:
                return left
            if self.capture is not None and self.capture.poll() is not None:
                raise LabError(f"tcpdump exited early: {self._stderr('tcpdump')}")
            time.sleep(0.05)

    def stop_capture(self):
        """SIGINT tcpdump, wait, and parse its packet counters."""
        self.stop(self.capture, signal.SIGINT, timeout=10)
        text = self._stderr("tcpdump")
        stats = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0].isdigit() and parts[1] == "packets":
                stats[" ".join(parts[2:])] = int(parts[0])
        self.capture_stats = {"captured": stats.get("captured"),
                              "received_by_filter": stats.get("received by filter"),
                              "dropped_by_kernel": stats.get("dropped by kernel")}
        return self.capture_stats

    # -- teardown ------------------------------------------------------------
    def close(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                sig = signal.SIGINT if name == "tcpdump" else signal.SIGTERM
                self.stop(p, sig)
        # Processes still inside our namespaces are descendants of ours: end them by PID.
        for name in self.made_ns:
            cp = run(["ip", "netns", "pids", name], check=False, timeout=10)
            for tok in (cp.stdout or "").split():
                if tok.isdigit():
                    self.log(f"  ending leftover pid {tok} in {name}")
                    try:
                        os.kill(int(tok), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        if self.link_proc is not None and getattr(self, "link_stats_path", None):
            try:
                self.link_stats = json.loads(self.link_stats_path.read_text())
            except (OSError, ValueError):
                self.link_stats = None
        for name in reversed(self.made_ns):
            cp = run(["ip", "netns", "del", name], check=False, timeout=10)
            if cp.returncode != 0:
                self.log(f"  warning: could not delete namespace {name}: {cp.stderr.strip()}")
        self.made_ns = []
        for stream in self.files + [p.stdout for _, p in self.procs]:
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        self.files = []
