#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A minimal SPICE client: links to the main channel and sends the client's
monitors config, as a real client does when its window is resized.

    spice_client.py SOCKET WxH[+X+Y] ...      (a unix socket: -spice unix=on)

Written from the protocol headers (spice-protocol: protocol.h, enums.h,
vd_agent.h).  What the server needs, as established against spice-server
0.15 and QEMU 7.2:
  * the link ticket is RSA-OAEP(SHA-1) encrypted with the key the server
    sends, even with disable-ticketing=on (the server decrypts it before
    it looks at the ticketing setting; a ticket that does not decrypt is
    refused);
  * VD_AGENT_MONITORS_CONFIG from the client reaches the QXL device only
    while a guest agent is attached (the virtio-serial port
    com.redhat.spice.0 is open in the guest) and after AGENT_START; without
    it the server's agent filter discards everything;
  * QEMU then writes the ROM's client monitors config (with its CRC) and
    raises QXL_INTERRUPT_CLIENT_MONITORS_CONFIG, if the guest driver's
    int_mask has that bit and the config differs from the ROM's.
Standard library only.
"""

import hashlib
import os
import re
import select
import socket
import struct
import sys
import time

SPICE_MAGIC = b"REDQ"
SPICE_VERSION_MAJOR = 2
SPICE_VERSION_MINOR = 2
SPICE_CHANNEL_MAIN = 1
CAP_AUTH_SELECTION = 0
CAP_AUTH_SPICE = 1
CAP_MINI_HEADER = 3
PUBKEY_BYTES = 162
MSG_SET_ACK = 3
MSG_PING = 4
MSGC_ACK_SYNC = 1
MSGC_PONG = 3
MSG_MAIN_INIT = 103
MSG_MAIN_AGENT_CONNECTED = 107
MSG_MAIN_AGENT_DISCONNECTED = 108
MSG_MAIN_AGENT_CONNECTED_TOKENS = 113
MSGC_MAIN_AGENT_START = 106
MSGC_MAIN_AGENT_DATA = 107
VD_AGENT_PROTOCOL = 1
VD_AGENT_MONITORS_CONFIG = 2
VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS = 1
MAX_HEADS = 16


class SpiceError(Exception):
    pass


# ------------------------------------------------------------ RSA-OAEP
def _der(buf, pos):
    """One DER element at pos: (tag, content start, content end)."""
    tag = buf[pos]
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7f
        n = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
    return tag, pos, pos + n


def rsa_public_key(der):
    """(n, e) of a SubjectPublicKeyInfo holding an RSA key."""
    tag, s, _ = _der(der, 0)  # SubjectPublicKeyInfo
    if tag != 0x30:
        raise SpiceError("server public key is not a DER sequence")
    _, _, e_alg = _der(der, s)  # AlgorithmIdentifier
    tag, s, _ = _der(der, e_alg)
    if tag != 0x03:
        raise SpiceError("server public key has no bit string")
    _, s, _ = _der(der, s + 1)  # RSAPublicKey, past the unused-bits byte
    tag, ns, ne = _der(der, s)
    n = int.from_bytes(der[ns:ne], "big")
    tag2, es, ee = _der(der, ne)
    if tag != 0x02 or tag2 != 0x02:
        raise SpiceError("server public key is not an RSA key")
    return n, int.from_bytes(der[es:ee], "big")


def _mgf1(seed, length):
    out = b""
    i = 0
    while len(out) < length:
        out += hashlib.sha1(seed + struct.pack(">I", i)).digest()
        i += 1
    return out[:length]


def oaep_encrypt(n, e, msg):
    k = (n.bit_length() + 7) // 8
    hlen = 20
    if len(msg) > k - 2 * hlen - 2:
        raise SpiceError("ticket too long for the server's key")
    db = hashlib.sha1(b"").digest() + b"\0" * (k - len(msg) - 2 * hlen - 2) + b"\1" + msg
    seed = os.urandom(hlen)
    masked_db = bytes(a ^ b for a, b in zip(db, _mgf1(seed, k - hlen - 1)))
    masked_seed = bytes(a ^ b for a, b in zip(seed, _mgf1(masked_db, hlen)))
    em = int.from_bytes(b"\0" + masked_seed + masked_db, "big")
    return pow(em, e, n).to_bytes(k, "big")


# ------------------------------------------------------------ client
class MainChannel:
    def __init__(self, path, timeout=10):
        self.deadline = time.time() + timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.mini = False
        self.agent = False
        self.agent_tokens = 0
        self.link()

    def recv(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise SpiceError("server closed the connection")
            data += chunk
        return data

    def link(self):
        caps = (1 << CAP_AUTH_SELECTION) | (1 << CAP_AUTH_SPICE) | (1 << CAP_MINI_HEADER)
        mess = struct.pack("<IBBIII", 0, SPICE_CHANNEL_MAIN, 0, 1, 0, 18) + \
            struct.pack("<I", caps)
        self.sock.sendall(SPICE_MAGIC + struct.pack("<III", SPICE_VERSION_MAJOR,
                                                    SPICE_VERSION_MINOR, len(mess)) + mess)
        head = self.recv(16)
        if head[:4] != SPICE_MAGIC:
            raise SpiceError("not a SPICE server (magic %r)" % head[:4])
        major, _, size = struct.unpack("<III", head[4:])
        if major != SPICE_VERSION_MAJOR:
            raise SpiceError("server speaks protocol %d, expected %d" %
                             (major, SPICE_VERSION_MAJOR))
        reply = self.recv(size)
        (error,) = struct.unpack_from("<I", reply)
        if error:
            raise SpiceError("link refused: error %d" % error)
        key = reply[4:4 + PUBKEY_BYTES]
        ncommon, _, off = struct.unpack_from("<III", reply, 4 + PUBKEY_BYTES)
        server_caps = struct.unpack_from("<I", reply, 4 + off)[0] if ncommon else 0
        self.mini = bool(server_caps & (1 << CAP_MINI_HEADER))
        n, e = rsa_public_key(key)
        # An empty password; the server must still be able to decrypt it.
        self.sock.sendall(struct.pack("<I", CAP_AUTH_SPICE) + oaep_encrypt(n, e, b"\0"))
        (result,) = struct.unpack("<I", self.recv(4))
        if result:
            raise SpiceError("authentication refused: error %d (does the server "
                             "have a password? the harness runs it with "
                             "disable-ticketing=on)" % result)

    def send(self, mtype, body):
        if self.mini:
            head = struct.pack("<HI", mtype, len(body))
        else:
            head = struct.pack("<QHII", 0, mtype, len(body), 0)
        self.sock.sendall(head + body)

    def read_message(self, timeout):
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return None
        if self.mini:
            mtype, size = struct.unpack("<HI", self.recv(6))
        else:
            _, mtype, size, _ = struct.unpack("<QHII", self.recv(18))
        body = self.recv(size)
        if mtype == MSG_SET_ACK:
            self.send(MSGC_ACK_SYNC, body[:4])
        elif mtype == MSG_PING:
            self.send(MSGC_PONG, body[:12])
        elif mtype == MSG_MAIN_INIT:
            self.agent = struct.unpack_from("<I", body, 16)[0] != 0
            self.agent_tokens = struct.unpack_from("<I", body, 20)[0]
        elif mtype in (MSG_MAIN_AGENT_CONNECTED, MSG_MAIN_AGENT_CONNECTED_TOKENS):
            self.agent = True
            if mtype == MSG_MAIN_AGENT_CONNECTED_TOKENS:
                self.agent_tokens = struct.unpack_from("<I", body)[0]
        elif mtype == MSG_MAIN_AGENT_DISCONNECTED:
            self.agent = False
        return mtype

    def wait_agent(self):
        """Until INIT says a guest agent is attached (or it attaches)."""
        while not self.agent:
            left = self.deadline - time.time()
            if left <= 0:
                raise SpiceError("no guest agent attached: the guest must keep the "
                                 "virtio-serial port com.redhat.spice.0 open")
            self.read_message(left)

    def monitors_config(self, heads):
        self.wait_agent()
        self.send(MSGC_MAIN_AGENT_START, struct.pack("<I", 10))
        body = struct.pack("<II", len(heads), VD_AGENT_CONFIG_MONITORS_FLAG_USE_POS)
        for w, h, x, y in heads:
            body += struct.pack("<IIIii", h, w, 32, x, y)
        msg = struct.pack("<IIQI", VD_AGENT_PROTOCOL, VD_AGENT_MONITORS_CONFIG, 0,
                          len(body)) + body
        self.send(MSGC_MAIN_AGENT_DATA, msg)
        # Let the server take it in before the disconnect.
        end = time.time() + 0.5
        while time.time() < end:
            self.read_message(max(0, end - time.time()))

    def close(self):
        self.sock.close()


HEAD = re.compile(r"^(\d+)x(\d+)(?:([+-]\d+)([+-]\d+))?$")


def parse_heads(words):
    """["1024x768", "800x600+1024+0", "0x0"] -> [(w, h, x, y)]; heads
    without a position sit side by side."""
    heads = []
    x_next = 0
    for w in words:
        m = HEAD.match(w)
        if not m:
            raise ValueError("bad head %r: expected WxH or WxH+X+Y" % w)
        width, height = int(m.group(1)), int(m.group(2))
        if width > 16384 or height > 16384:
            raise ValueError("bad head %r: larger than 16384" % w)
        if m.group(3) is None:
            x, y = x_next, 0
        else:
            x, y = int(m.group(3)), int(m.group(4))
        x_next = x + width
        heads.append((width, height, x, y))
    if not heads or len(heads) > MAX_HEADS:
        raise ValueError("expected 1 to %d heads, got %d" % (MAX_HEADS, len(heads)))
    return heads


def send_monitors_config(path, words, timeout=10):
    heads = parse_heads(words)
    ch = MainChannel(path, timeout)
    try:
        ch.monitors_config(heads)
    finally:
        ch.close()
    return heads


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: spice_client.py SOCKET WxH[+X+Y]...\n")
        return 2
    try:
        heads = send_monitors_config(sys.argv[1], sys.argv[2:])
    except (ValueError, SpiceError, OSError) as e:
        sys.stderr.write("spice_client: %s\n" % e)
        return 1
    print("sent %d head(s)" % len(heads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
