"""What the cluster benchmarks (cluster_bench.py, vm_boot_bench.py) share: running
`podvisor up` in the background and stopping it with Ctrl-C, creating objects at once,
percentiles, resident memory from /proc, and what a stopped cluster left behind."""

import os
import re
import shutil
import signal
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_DIR = os.environ.get("PODVISOR_BUILD_DIR", os.path.join(HERE, "..", "..", "build"))
PODVISOR = os.path.join(BUILD_DIR, "bin", "podvisor")


def rss_kib(pid):
    """VmRSS of a process in KiB; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def private_kib(pid):
    """Private_Clean + Private_Dirty of a process (smaps_rollup) in KiB: its memory without
    the shared libraries' pages; 0 when it is gone."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


def pss_kib(pid):
    """Pss of a process (smaps_rollup) in KiB: private pages plus its share of pages it
    maps together with other processes; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_by_mapping_kib(pid):
    """[(path, Rss KiB)] per mapping of a process (path "" for anonymous ones); [] when it
    is gone."""
    out = []
    try:
        with open(f"/proc/{pid}/smaps") as f:
            path = ""
            for line in f:
                head = line.split()
                if head and "-" in head[0] and len(head) >= 5:  # a mapping's header line
                    path = head[5] if len(head) > 5 else ""
                elif line.startswith("Rss:"):
                    out.append((path, int(head[1])))
    except OSError:
        return []
    return out


def rss_without_kib(pid, library_part):
    """Rss of a process in KiB without the mappings whose path contains `library_part`
    (e.g. "libvirt": the launcher without libvirt's client libraries); 0 when it is gone."""
    return sum(kib for path, kib in rss_by_mapping_kib(pid) if library_part not in path)


def cpu_seconds(pid):
    """User + system CPU time a process has used, in seconds; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_cpu_seconds():
    """CPU time every CPU of the machine has spent busy (not idle or waiting), in seconds."""
    with open("/proc/stat") as f:
        cpu = [int(v) for v in f.readline().split()[1:]]
    return (sum(cpu) - cpu[3] - cpu[4]) / os.sysconf("SC_CLK_TCK")


def cpu_by_process():
    """{pid: (program name, CPU seconds with its reaped children)} of every process now."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
            comm = text[text.index("(") + 1:text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            out[int(entry)] = (comm, sum(int(v) for v in fields[11:15]) / tick)
        except (OSError, ValueError):
            continue  # gone meanwhile
    return out


def cpu_by_program(before, after):
    """CPU seconds each program used between two cpu_by_process() snapshots (a process
    started in between counts whole), largest first."""
    used = {}
    for pid, (comm, seconds) in after.items():
        was = before.get(pid)
        spent = seconds - (was[1] if was and was[0] == comm else 0.0)
        if spent > 0:
            used[comm] = used.get(comm, 0.0) + spent
    return dict(sorted(((k, round(v, 2)) for k, v in used.items()), key=lambda kv: -kv[1]))


class CpuMeter:
    """CPU used by named processes and by the whole machine between start() and stop()."""

    def __init__(self, pids):
        self.pids = dict(pids)

    def start(self):
        self.t0 = time.monotonic()
        self.before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self.machine0 = machine_cpu_seconds()

    def stop(self):
        """{name: seconds, "everything else": ..., "machine": ..., "wall": ...}."""
        used = {name: cpu_seconds(pid) - self.before[name] for name, pid in self.pids.items()}
        machine = machine_cpu_seconds() - self.machine0
        used["everything else"] = max(0.0, machine - sum(used.values()))
        used["machine"], used["wall"] = machine, time.monotonic() - self.t0
        return {k: round(v, 2) for k, v in used.items()}


def _needed(path):
    """The DT_NEEDED entries of an ELF file (objdump -p)."""
    out = subprocess.run(["objdump", "-p", path], capture_output=True, text=True).stdout
    return [line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")]


def _resolve(name):
    for d in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib", "/lib"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return os.path.realpath(p)
    return None


def _closure(roots):
    seen, todo = set(), [r for r in roots if r]
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo += [r for r in map(_resolve, _needed(p)) if r]
    return seen


def libraries_only_needed_through(executable, library_part):
    """The shared libraries `executable` loads only because of its direct dependency whose
    name contains `library_part` (that library and what it alone pulls in): for the
    launcher and "libvirt.so", libvirt's client library and its 47 dependencies. None
    without objdump."""
    if shutil.which("objdump") is None:
        return None  # binutils missing: the figure is left out rather than made up
    direct = [_resolve(n) for n in _needed(executable)]
    through = [p for p in direct if p and library_part in os.path.basename(p)]
    own = _closure([p for p in direct if p and library_part not in os.path.basename(p)])
    return _closure(through) - own


def rss_without_paths_kib(pid, paths):
    """Rss of a process in KiB without the mappings of the files in `paths`; 0 when gone."""
    return sum(kib for path, kib in rss_by_mapping_kib(pid)
               if not (path.startswith("/") and os.path.realpath(path) in paths))


def percentile(values, p):
    """Nearest-rank percentile (bench_launcher computes it the same way)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def processes():
    """pid → argv of every process that can be read."""
    out = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    out[int(pid)] = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
            except OSError:
                pass
    return out


class Cluster:
    """One `podvisor up --nodes N` in the background, from "Ctrl-C stops" to stop()."""

    def __init__(self, tmp, nodes, network_id, cluster_cidr, agents=False, launcher=None, guest=None,
                 node_cpu="64", node_memory="256Gi", max_pods=500, log_level="warn"):
        self.data = os.path.join(tmp, "data")
        self.network_id = network_id
        examples = os.path.join(tmp, "examples")
        os.makedirs(examples, exist_ok=True)
        args = [PODVISOR, "up", "--nodes", str(nodes), "--data-dir", self.data, "--listen", ":0",
                "--examples", examples, "--network-id", network_id, "--cluster-cidr", cluster_cidr,
                "--agents", "on" if agents else "off", "--kvm", "off", "--log-level", log_level,
                "--node-cpu", str(node_cpu), "--node-memory", node_memory, "--max-pods", str(max_pods)]
        if launcher:
            args += ["--launcher", launcher]
        if guest:
            args += ["--guest", guest]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        lines = []
        deadline = time.monotonic() + 180
        for line in self.proc.stdout:
            lines.append(line)
            if "Ctrl-C stops" in line or time.monotonic() > deadline:
                break
        text = "".join(lines)
        if "Ctrl-C stops" not in text:
            self.stop()
            raise SystemExit("podvisor up did not start:\n" + text)
        self.output = lines
        threading.Thread(target=self._drain, daemon=True).start()
        self.kubeconfig = re.search(r"kubeconfig\s+(\S+)", text).group(1)
        self.pids = {m.group(1): int(m.group(2)) for m in re.finditer(r"component\s+(\S+)\s+pid (\d+)", text)}

    def _drain(self):
        for line in self.proc.stdout:
            self.output.append(line)

    def stop(self):
        """Ctrl-C, as a user would (SIGKILL of the group if it hangs); podvisor up's exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(300)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode

    def logs(self, lines=20):
        """The last lines of every component's log, for error messages."""
        out = []
        logs = os.path.join(self.data, "logs")
        if os.path.isdir(logs):
            for name in sorted(os.listdir(logs)):
                with open(os.path.join(logs, name), errors="replace") as f:
                    out.append(f"\n--- {name} ---\n" + "".join(f.readlines()[-lines:]))
        return "".join(out)

    def wait_for_warm_capabilities(self, nodes, timeout=300):
        """Waits until every node's agent has reported its QEMU capabilities warm-up (the
        probe the virsh floor's daemon also pays before it is timed); returns {node: the
        agent's line}. Raises SystemExit when a warm-up failed or did not end in time."""
        deadline = time.monotonic() + timeout
        done = {}
        while len(done) < nodes:
            for i in range(nodes):
                node = f"node-{i}"
                if node in done:
                    continue
                try:
                    with open(os.path.join(self.data, "logs", f"agent-{node}.log"), errors="replace") as f:
                        for line in f:
                            if "QEMU capabilities cache warm after" in line:
                                done[node] = line.strip()
                            elif "QEMU capabilities cache not warmed" in line:
                                raise SystemExit(f"{node}: {line.strip()}")
                except FileNotFoundError:
                    pass
            if time.monotonic() > deadline:
                raise SystemExit(f"no capabilities warm-up reported by {sorted(set(f'node-{i}' for i in range(nodes)) - set(done))} "
                                 f"in {timeout} s" + self.logs(lines=8))
            time.sleep(0.2)
        return done

    def leftovers(self, also=(), pod_uids=()):
        """What the stopped cluster left on the machine: host links of its network, mounts
        under its data directory, processes naming it (or any of `also`), the cgroups of
        the pods with `pod_uids` (other clusters may run beside this one)."""
        found = []
        links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
        prefix = "pv" + self.network_id
        found += [f"link {l.split(':')[1].strip()}" for l in links.splitlines()
                  if l.split(":")[1].strip().split("@")[0].startswith(prefix)]
        with open("/proc/self/mountinfo") as f:
            found += [f"mount {l.split()[4]}" for l in f if self.data in l.split()[4]]
        for pid, argv in processes().items():
            cmdline = " ".join(argv)
            if pid != os.getpid() and any(s in cmdline for s in (self.data, *also)):
                found.append(f"process {pid}: {cmdline[:120]}")
        wanted = {f"pod-{uid}" for uid in pod_uids}
        if wanted:
            for dirpath, dirnames, _ in os.walk("/sys/fs/cgroup"):
                found += [f"cgroup {os.path.join(dirpath, d)}" for d in dirnames if d in wanted]
                dirnames[:] = [d for d in dirnames if d not in wanted]
        return found


def create_all(make, names):
    """Creates every object from its own thread at once; returns name → create start."""
    started, errors = {}, []
    def one(n):
        started[n] = time.monotonic()
        try:
            make(n)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(f"{n}: {e}")
    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit("creates failed: " + "; ".join(errors[:3]))
    return started
