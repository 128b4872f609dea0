#!/usr/bin/env python3
"""Failover time of a three-node cluster: from kill -9 of a node to the moment every surviving node's Metadata names
a new leader for the partition that node led. Samsa (./samsa cluster) and Kafka 4.1.1 (../shared/bench/kafka.sh),
a fresh cluster per round. Measured, never asserted; run under the bench lock:

    flock /work/notes/bench.lock bench/failover.py [--rounds 3] [--port 20692] [--systems samsa,kafka]

Two cases per round: the killed node leads partition 0 but is not the controller ("leader"), and the killed node is
the controller and leads partition 0 ("controller+leader"; the topic's leaders are moved there by choosing the
partition it leads). Metadata v4 is read over a raw socket from each node every 10 ms, so a node answers from its
own view, never through a client's cache.
"""
import argparse
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.environ.get("BENCH_DIR", os.path.join(ROOT, "..", "shared", "bench"))


def metadata(port, topic, timeout=0.5):
    """(controller_id, {partition: leader}, broker count) from the node at 127.0.0.1:port, or None without answer."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            client = b"failover"
            name = topic.encode()
            body = struct.pack(">i", 1) + struct.pack(">h", len(name)) + name + b"\x00"
            header = struct.pack(">hhih", 3, 4, 1, len(client)) + client
            frame = header + body
            s.sendall(struct.pack(">i", len(frame)) + frame)
            size = struct.unpack(">i", recv(s, 4))[0]
            buf = recv(s, size)
    except (OSError, struct.error):
        return None
    r = Reader(buf)
    r.i32()  # correlation id
    r.i32()  # throttle
    brokers = r.i32()
    for _ in range(brokers):
        r.i32(); r.string(); r.i32(); r.string()
    r.string()  # cluster id
    controller = r.i32()
    leaders = {}
    for _ in range(r.i32()):
        r.i16(); r.string(); r.i8()
        for _ in range(r.i32()):
            error, partition, leader = r.i16(), r.i32(), r.i32()
            for _ in range(2):
                for _ in range(r.i32()):
                    r.i32()
            leaders[partition] = leader if error == 0 else -1
    return controller, leaders, brokers


def recv(s, n):
    out = b""
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise OSError("closed")
        out += chunk
    return out


class Reader:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def take(self, fmt, n):
        v = struct.unpack_from(fmt, self.buf, self.pos)[0]
        self.pos += n
        return v

    def i8(self):
        return self.take(">b", 1)

    def i16(self):
        return self.take(">h", 2)

    def i32(self):
        return self.take(">i", 4)

    def string(self):
        n = self.i16()
        if n < 0:
            return None
        v = self.buf[self.pos:self.pos + n].decode()
        self.pos += n
        return v


def start(system, port, data):
    """Starts three nodes; returns their pids in node order."""
    if system == "samsa":
        pid_file = data + ".pids"
        env = dict(os.environ, PID_FILE=pid_file)
        subprocess.Popen([os.path.join(ROOT, "samsa"), "cluster", "--nodes", "3", "--port", str(port), "--data-dir",
                          data], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 120
        while time.time() < deadline and not (os.path.exists(pid_file) and len(open(pid_file).read().split()) == 3):
            time.sleep(0.1)
        return [int(p) for p in open(pid_file).read().split()]
    kafka = os.path.join(BENCH, "kafka.sh")
    subprocess.run([kafka, "format", "--nodes", "3", "--port-base", str(port), "--data", data],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    out = subprocess.run([kafka, "start", "--nodes", "3", "--port-base", str(port), "--data", data],
                         capture_output=True, text=True, check=True).stdout
    pids = next(line for line in out.splitlines() if line.startswith("pids="))[5:]
    return [int(p) for p in pids.replace(",", " ").split()]


def stop(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def create_topic(port):
    subprocess.run([os.path.join(ROOT, "samsa"), "topic", "create", "fo", "-p", "3", "-r", "3", "-b",
                    f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


def wait_ready(ports, deadline_s=120):
    """Until every node answers Metadata naming a controller and listing every broker (all registered, unfenced)."""
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        views = [metadata(p, "fo") for p in ports]
        if all(v and v[0] >= 0 and v[2] == len(ports) for v in views):
            return
        time.sleep(0.05)
    raise RuntimeError("the cluster did not start")


def wait_leaders(ports, deadline_s=60):
    """The (controller, leaders) seen by node 1 once every partition has a leader on every node."""
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        views = [metadata(p, "fo") for p in ports]
        if all(v and v[0] >= 0 and len(v[1]) == 3 and all(l >= 0 for l in v[1].values()) for v in views) \
                and len({tuple(sorted(v[1].items())) for v in views}) == 1:
            return views[0][:2]
        time.sleep(0.05)
    raise RuntimeError("the cluster did not settle")


def one_case(system, port, case):
    data = tempfile.mkdtemp(prefix=f"failover-{system}-")
    pids = start(system, port, data)
    ports = [port, port + 1, port + 2]
    try:
        wait_ready(ports)
        create_topic(port)
        controller, leaders = wait_leaders(ports)
        if case == "controller+leader":
            victim = controller
            partitions = [p for p, l in leaders.items() if l == victim]
        else:
            partitions = [p for p, l in leaders.items() if l != controller]
            victim = leaders[partitions[0]] if partitions else -1
        if not partitions:
            return None  # this round's placement has no such partition
        partition = partitions[0]
        survivors = [port + i for i in range(3) if i + 1 != victim]
        t0 = time.time()
        os.kill(pids[victim - 1], signal.SIGKILL)
        while time.time() - t0 < 60:
            views = [metadata(p, "fo", timeout=0.2) for p in survivors]
            if all(v and v[1].get(partition, -1) not in (-1, victim) for v in views):
                return time.time() - t0
            time.sleep(0.01)
        return float("inf")
    finally:
        stop(pids)
        if system == "kafka":
            subprocess.run([os.path.join(BENCH, "kafka.sh"), "clean", "--nodes", "3", "--port-base", str(port),
                            "--data", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        shutil.rmtree(data, ignore_errors=True)
        if os.path.exists(data + ".pids"):
            os.remove(data + ".pids")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--port", type=int, default=20692)
    ap.add_argument("--systems", default="samsa,kafka")
    a = ap.parse_args()
    for system in a.systems.split(","):
        for case in ("leader", "controller+leader"):
            times = []
            for _ in range(a.rounds):
                t = one_case(system, a.port, case)
                if t is not None:
                    times.append(t)
            shown = " ".join(f"{t:.2f}" for t in times)
            print(f"{system:6} {case:18} seconds to a new leader on every surviving node: {shown}", flush=True)


if __name__ == "__main__":
    main()
