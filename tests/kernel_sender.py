#!/usr/bin/env python3
"""Packet sender for tests/kernel_soundness.rs.

Runs inside the sender namespace. Reads one packet per line on stdin:
    IFACE DSTMAC SRC DST PROTO SPORT DPORT TCPFLAGS ICMPTYPE ICMPCODE
builds an Ethernet + IPv4 (+ TCP/UDP/ICMP) frame and sends it on IFACE with
an AF_PACKET socket, then answers "ok" on stdout. Nothing but the veth pair
into the test namespace ever sees these frames.
"""
import socket
import struct
import sys


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(dstmac, src, dst, proto, sport, dport, flags, itype, icode, ident):
    s = socket.inet_aton(src)
    d = socket.inet_aton(dst)
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 8192, 0, 0)
        pseudo = s + d + struct.pack("!BBH", 0, 6, len(l4))
        c = csum(pseudo + l4)
        l4 = l4[:16] + struct.pack("!H", c) + l4[18:]
    elif proto == 17:
        payload = b"iptlint"
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        pseudo = s + d + struct.pack("!BBH", 0, 17, len(l4))
        c = csum(pseudo + l4) or 0xFFFF
        l4 = l4[:6] + struct.pack("!H", c) + l4[8:]
    elif proto == 1:
        l4 = struct.pack("!BBHHH", itype, icode, 0, ident & 0xFFFF, 1) + b"iptlint!"
        c = csum(l4)
        l4 = l4[:2] + struct.pack("!H", c) + l4[4:]
    else:
        l4 = b"iptlint-raw-payload"
    total = 20 + len(l4)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident & 0xFFFF, 0, 64, proto, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex(dstmac.replace(":", "")) + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + l4


def main():
    socks = {}
    ident = 1
    for line in sys.stdin:
        f = line.split()
        if not f:
            continue
        iface, dstmac, src, dst = f[0], f[1], f[2], f[3]
        proto, sport, dport, flags, itype, icode = map(int, f[4:10])
        if iface not in socks:
            so = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            so.bind((iface, 0))
            socks[iface] = so
        socks[iface].send(frame(dstmac, src, dst, proto, sport, dport, flags, itype, icode, ident))
        ident += 1
        sys.stdout.write("ok\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
