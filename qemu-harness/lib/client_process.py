# SPDX-License-Identifier: MIT
"""The harness side of qh run --client: starts qemu-harness/spice-client/
qh-spice-client against QEMU's SPICE socket once QEMU is up, keeps it
connected for the whole run, passes the guest's requests (qh-clientdump,
qh-monitors-config) to it over its control socket, and tells the harness
when it was lost (exited, or logged a FATAL line) so the test running then
fails.  Standard library only."""

import os
import re
import socket
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = os.path.join(os.path.dirname(HERE), "spice-client", "qh-spice-client")
COMPRESSIONS = ["default", "off", "auto-glz", "auto-lz", "quic", "glz", "lz", "lz4"]
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class ClientProcess:
    def __init__(self, spice_sock, tmpdir, out, compression="default"):
        self.spice_sock = spice_sock
        self.ctl = os.path.join(tmpdir, "client")
        self.log = os.path.join(out, "spice-client.log")
        self.updates = os.path.join(out, "spice-client-updates.txt")
        self.marks = os.path.join(out, "client-marks.txt")
        self.compression = compression
        self.proc = None
        self.reported = False  # the loss was charged to a test already

    def start(self, seconds=20):
        """Start the client and wait until it answers on its control socket
        with a connected main channel."""
        if not os.access(BINARY, os.X_OK):
            raise RuntimeError("%s is missing (build it: make)" % BINARY)
        # QEMU creates the SPICE socket once it is listening.
        end = time.time() + seconds
        while not os.path.exists(self.spice_sock):
            if time.time() > end:
                raise RuntimeError("QEMU's SPICE socket %s never appeared" % self.spice_sock)
            time.sleep(0.05)
        self.proc = subprocess.Popen(
            [BINARY, "--socket", self.spice_sock, "--control", self.ctl,
             "--log", self.log, "--updates", self.updates,
             "--compression", self.compression],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.log + ".stderr", "w"))
        last = None
        while time.time() < end:
            lost = self.lost()
            if lost:
                raise RuntimeError(lost)
            try:
                if self.request("status", 2) == "connected":
                    return
            except RuntimeError as e:
                last = e
            time.sleep(0.1)
        raise RuntimeError("SPICE client did not connect within %ds (%s); see %s" %
                           (seconds, last, self.log))

    def request(self, line, timeout=30):
        """One control request; returns the answer after "ok "."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.ctl)
            s.sendall((line + "\n").encode())
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
        except OSError as e:
            raise RuntimeError("SPICE client control socket: %s" % e)
        finally:
            s.close()
        ans = buf.decode(errors="replace").strip()
        if ans.startswith("ok"):
            return ans[3:] if ans.startswith("ok ") else ""
        raise RuntimeError("SPICE client: %s" % (ans or "no answer"))

    def fatal_line(self):
        try:
            with open(self.log, errors="replace") as f:
                for line in f:
                    if "FATAL:" in line:
                        return line.split("FATAL:", 1)[1].strip()
        except OSError:
            pass
        return None

    def lost(self):
        """Why the client is gone, or None while it runs."""
        if self.proc is None:
            return None
        rc = self.proc.poll()
        if rc is None:
            return None
        why = self.fatal_line() or "exit status %d" % rc
        return "SPICE client lost: %s (see %s)" % (why, self.log)

    def check(self):
        """A reason to fail the test that ran while the client got lost
        (once: later tests say it was lost earlier)."""
        lost = self.lost()
        if not lost:
            return None
        if self.reported:
            return "SPICE client was lost during an earlier test"
        self.reported = True
        return lost

    def reconnect(self):
        """A client connecting late: drop this one, start a new one (the
        log goes on in the same file)."""
        t0 = time.time()
        self.stop()
        self.start()
        return time.time() - t0

    def dump(self, guest_dir, arg):
        """qh-clientdump [--reconnect] NAME [MATCH]: the client's picture to
        guest_dir/NAME.png (and -monN, -cursor, .state); with MATCH, once
        it equals guest_dir/MATCH.png (a screendump) or 10 s passed.
        --reconnect: a new client connects first."""
        words = arg.split()
        connect = ""
        if words and words[0] == "--reconnect":
            connect = "reconnected in %d ms; " % (self.reconnect() * 1000)
            words = words[1:]
        if not words or len(words) > 2 or not all(NAME.match(w) for w in words):
            raise ValueError("qh-clientdump: expected NAME [MATCH] (letters, digits, . _ -), "
                             "got %r" % arg)
        line = "dump " + os.path.join(guest_dir, words[0])
        if len(words) == 2:
            match = os.path.join(guest_dir, words[1] + ".png")
            if not os.path.exists(match):
                raise ValueError("qh-clientdump: no picture %s to match" % match)
            line += " %s 10000" % match
        return connect + self.request(line, 40)

    def mark(self, test, label):
        """Line "TEST LABEL EPOCH CHANNEL=BYTES..." in client-marks.txt (test
        names may contain spaces: split from the right); a failed request
        is written as "error ..." rather than lost."""
        try:
            counts = self.request("bytes", 5)
        except RuntimeError as e:
            counts = "error " + str(e).replace("\n", " ")
        with open(self.marks, "a") as f:
            f.write("%s %s %.6f %s\n" % (test, label, time.time(), counts))

    def monitors(self, heads):
        return self.request("monitors " + " ".join(heads), 20)

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
