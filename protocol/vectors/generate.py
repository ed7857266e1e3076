#!/usr/bin/env python3
"""Writes the golden frames of protocol/PROTOCOL.md as annotated hex, one file per frame.

This is a second, independent implementation of the encoding rules (PROTOCOL.md section 3 and 5); the
Swift tests decode every file and re-encode it byte for byte, so the two implementations check each other.
The LZ4 vector's block is produced by liblz4 (LZ4_compress_default, via ctypes) and annotated by a small
block parser here. Run from anywhere: python3 protocol/vectors/generate.py
"""
import ctypes
import ctypes.util
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


class Frame:
    def __init__(self, name, title):
        self.name, self.title = name, title
        self.lines = []  # (bytes, comment)

    def add(self, data, comment):
        self.lines.append((bytes(data), comment))

    # primitives (PROTOCOL.md section 3)
    def u8(self, v, c): self.add(struct.pack(">B", v), f"u8 {c} = {v}")
    def u16(self, v, c): self.add(struct.pack(">H", v), f"u16 {c} = {v} (0x{v:04x})")
    def u32(self, v, c): self.add(struct.pack(">I", v), f"u32 {c} = {v}")
    def u64(self, v, c): self.add(struct.pack(">Q", v), f"u64 {c} = {v}")
    def f64(self, v, c): self.add(struct.pack(">d", v), f"f64 {c} = {v}")
    def boolean(self, v, c): self.add(bytes([1 if v else 0]), f"bool {c} = {str(v).lower()}")

    def string(self, s, c):
        b = s.encode("utf-8")
        self.add(struct.pack(">I", len(b)), f"string {c}: length {len(b)}")
        if b:
            self.add(b, f"  {s!r}")

    def blob(self, b, c, show=None):
        self.add(struct.pack(">I", len(b)), f"bytes {c}: length {len(b)}")
        if b:
            self.add(b, f"  {show if show is not None else repr(bytes(b))}")

    def count(self, n, c): self.add(struct.pack(">I", n), f"array {c}: count {n}")

    def body_bytes(self):
        return b"".join(d for d, _ in self.lines)


def header(frame, opcode, opname, flags, request_id, body_len, version=1):
    out = [
        (struct.pack(">I", 12 + body_len), f"u32 length = {12 + body_len} (12 header bytes + {body_len} body bytes)"),
        (bytes([version]), f"u8 version = {version}"),
        (bytes([opcode]), f"u8 opcode = 0x{opcode:02x} {opname}"),
        (struct.pack(">H", flags), "u16 flags = 0x%04x (%s)" % (flags, describe_flags(flags))),
        (struct.pack(">Q", request_id), f"u64 request id = {request_id}"),
    ]
    return out


def describe_flags(flags):
    names = []
    if flags & 1:
        names.append("compressed")
    if flags & 2:
        names.append("response")
    return ", ".join(names) if names else "request, uncompressed"


def write(frame, opcode, opname, response, request_id, description):
    body = frame.body_bytes()
    head = header(frame, opcode, opname, 2 if response else 0, request_id, len(body))
    emit(frame, head, frame.lines, description)


def emit(frame, head, body_lines, description):
    path = os.path.join(HERE, frame.name + ".hex")
    with open(path, "w") as f:
        f.write(f"# {frame.title}\n")
        for line in description.strip().splitlines():
            f.write(f"# {line}\n")
        f.write("# Hex digits only count: spaces, newlines and '#' comments are ignored.\n\n")
        f.write("# header\n")
        for data, comment in head:
            f.write(f"{data.hex(' '):<24} # {comment}\n")
        f.write("# body\n")
        for data, comment in body_lines:
            for i in range(0, len(data), 16):
                chunk = data[i:i + 16]
                f.write(f"{chunk.hex(' '):<48} # {comment if i == 0 else '  ...'}\n")
    print("wrote", path)


def check_result(f, r, p):
    decision, reason, message, missing, satisfied = r
    f.u8(decision, f"{p}.decision ({['admitted', 'denied', 'error'][decision]})")
    f.string(reason, f"{p}.reason")
    f.string(message, f"{p}.message")
    f.count(len(missing), f"{p}.missing")
    for i, s in enumerate(missing):
        f.string(s, f"{p}.missing[{i}]")
    f.count(len(satisfied), f"{p}.satisfied")
    for i, s in enumerate(satisfied):
        f.string(s, f"{p}.satisfied[{i}]")


def main():
    # HELLO
    f = Frame("hello-request", "HELLO request, request id 1")
    f.u8(1, "min_version"); f.u8(1, "max_version")
    f.u32(16 << 20, "max_frame_size (16 MiB)"); f.u32(64 << 20, "max_decompressed_size (64 MiB)")
    f.u32(1, "features (bit 0: lz4)"); f.string("attestctl/1.0", "client_name"); f.count(0, "extensions")
    write(f, 0x01, "HELLO", False, 1, "Client speaks version 1 only, default receive limits, supports LZ4.")

    f = Frame("hello-response", "HELLO response to request id 1")
    f.u8(1, "version (chosen)")
    f.u32(16 << 20, "max_frame_size"); f.u32(64 << 20, "max_decompressed_size"); f.u32(4096, "max_batch_items")
    f.u32(1024, "max_in_flight"); f.u32(65536, "max_string_length"); f.u32(1 << 20, "max_bytes_length")
    f.u32(1, "features (bit 0: lz4)"); f.string("attestd", "server_name"); f.string("0.1.0", "server_version")
    f.count(1, "extensions")
    f.u16(0x7F01, "extensions[0].tag (unknown to version 1 peers: ignored)")
    f.blob(b"\x2a", "extensions[0].value")
    write(f, 0x01, "HELLO", True, 1, "Server picks version 1, announces the default limits and LZ4, and carries\none extension field that receivers must ignore.")

    # PING
    f = Frame("ping-request", "PING request, request id 2")
    f.blob(b"ping", "data", "'ping'")
    write(f, 0x02, "PING", False, 2, "Echo the four bytes 'ping'.")
    f = Frame("ping-response", "PING response to request id 2")
    f.blob(b"ping", "data", "'ping'")
    write(f, 0x02, "PING", True, 2, "The echoed bytes.")

    # VERIFY
    f = Frame("verify-request", "VERIFY request, request id 3: two items")
    f.count(2, "items")
    f.string("rsa-pss-sha256", "items[0].algorithm")
    f.u8(0, "items[0].key.kind (0 = attestor name)"); f.string("qa-attestor", "items[0].key.attestor")
    f.string("registry.example.com/team/app@sha256:" + "ab" * 32, "items[0].image")
    f.blob(b'{"critical":{}}', "items[0].payload")
    f.blob(bytes(range(1, 9)), "items[0].signature", "8 bytes 01..08 (a real one is 256 bytes for RSA-2048)")
    f.string("ed25519", "items[1].algorithm")
    f.u8(1, "items[1].key.kind (1 = inline key)")
    spki = bytes.fromhex("302a300506032b6570032100") + bytes(32)
    f.blob(spki, "items[1].key.key", "Ed25519 SubjectPublicKeyInfo DER, all-zero key")
    f.string("", "items[1].image (empty: signature only)")
    f.blob(b"hello", "items[1].payload")
    f.blob(bytes([0xEE]) * 64, "items[1].signature", "64 bytes of 0xee")
    write(f, 0x10, "VERIFY", False, 3, "Item 0 checks against a configured attestor and the payload against the image;\nitem 1 checks a bare signature with an inline DER key.")

    f = Frame("verify-response", "VERIFY response to request id 3")
    f.count(2, "results")
    f.u8(0, "results[0].status (valid)"); f.string("valid", "results[0].reason"); f.string("", "results[0].message")
    f.u8(1, "results[1].status (invalid)"); f.string("bad-signature", "results[1].reason")
    f.string("signature does not verify", "results[1].message")
    write(f, 0x10, "VERIFY", True, 3, "One result per item, in request order.")

    # CHECK
    f = Frame("check-request", "CHECK request, request id 4: two items")
    f.count(2, "items")
    f.string("prod", "items[0].namespace"); f.string("registry.example.com/team/app@sha256:" + "ab" * 32, "items[0].image")
    f.string("prod", "items[1].namespace"); f.string("alpine:3.11", "items[1].image")
    write(f, 0x11, "CHECK", False, 4, "A digest reference and a tag reference in namespace prod.")

    f = Frame("check-response", "CHECK response to request id 4")
    f.count(2, "results")
    check_result(f, (0, "attested", "", [], ["qa-attestor"]), "results[0]")
    check_result(f, (1, "tag-reference", "image alpine:3.11 is not attested", ["qa-attestor"], []), "results[1]")
    write(f, 0x11, "CHECK", True, 4, "Image 0 admitted by qa-attestor; image 1 denied (tags cannot be attested).")

    # ADMIT
    f = Frame("admit-request", "ADMIT request, request id 5")
    f.string("prod", "namespace"); f.string("Pod", "kind"); f.string("web-0", "name"); f.string("CREATE", "operation")
    f.boolean(False, "dry_run")
    f.count(1, "annotations")
    f.string("kritis.grafeas.io/breakglass", "annotations[0].key"); f.string("false", "annotations[0].value")
    f.count(2, "images")
    f.string("registry.example.com/team/app@sha256:" + "ab" * 32, "images[0]"); f.string("alpine:3.11", "images[1]")
    write(f, 0x12, "ADMIT", False, 5, "A Pod with two containers.")

    f = Frame("admit-response", "ADMIT response to request id 5")
    f.boolean(False, "allowed"); f.u16(403, "status_code"); f.string("image alpine:3.11 is not attested", "message")
    f.count(0, "warnings")
    f.count(2, "results")
    check_result(f, (0, "attested", "", [], ["qa-attestor"]), "results[0]")
    check_result(f, (1, "tag-reference", "image alpine:3.11 is not attested", ["qa-attestor"], []), "results[1]")
    write(f, 0x12, "ADMIT", True, 5, "Denied with 403 because of image 1.")

    # PUT_ATTESTATIONS
    f = Frame("put-attestations-request", "PUT_ATTESTATIONS request, request id 6: two items")
    f.count(2, "items")
    f.string("registry.example.com/team/app@sha256:" + "ab" * 32, "items[0].image")
    f.blob(b'{"critical":{}}', "items[0].payload"); f.blob(bytes(range(1, 9)), "items[0].signature", "8 bytes 01..08")
    f.u8(1, "items[0].key_id presence (1 = present)"); f.string("kms-key-1", "items[0].key_id")
    f.string("sign", "items[0].source")
    f.string("registry.example.com/team/app@sha256:" + "cd" * 32, "items[1].image")
    f.blob(b"{}", "items[1].payload"); f.blob(bytes([9]), "items[1].signature", "1 byte 09")
    f.u8(0, "items[1].key_id presence (0 = absent)")
    f.string("import:sigs.jsonl:7", "items[1].source")
    write(f, 0x13, "PUT_ATTESTATIONS", False, 6, "Two attestations, one naming its key id.")

    f = Frame("put-attestations-response", "PUT_ATTESTATIONS response to request id 6")
    f.u32(1, "stored")
    f.count(2, "results")
    f.u8(0, "results[0].status (stored)"); f.string("", "results[0].message")
    f.u8(1, "results[1].status (duplicate)"); f.string("already stored", "results[1].message")
    write(f, 0x13, "PUT_ATTESTATIONS", True, 6, "One stored, one already present.")

    # STATS
    f = Frame("stats-request", "STATS request, request id 7")
    write(f, 0x20, "STATS", False, 7, "The body is empty.")
    f = Frame("stats-response", "STATS response to request id 7")
    f.count(2, "counters")
    f.string("cache.hits", "counters[0].name"); f.u64(1000, "counters[0].value")
    f.string("cache.misses", "counters[1].name"); f.u64(24, "counters[1].value")
    f.count(2, "gauges")
    f.string("cache.entries", "gauges[0].name"); f.u8(0, "gauges[0].kind (0 = u64)"); f.u64(24, "gauges[0].value")
    f.string("cache.hit_ratio", "gauges[1].name"); f.u8(1, "gauges[1].kind (1 = f64)"); f.f64(0.9765625, "gauges[1].value")
    write(f, 0x20, "STATS", True, 7, "Two counters, an integer gauge and a floating-point gauge.")

    # RELOAD
    f = Frame("reload-request", "RELOAD request, request id 8")
    f.u8(1, "config_path presence (1 = present)"); f.string("/etc/attestd/attestd.yaml", "config_path")
    write(f, 0x21, "RELOAD", False, 8, "Reload from an explicit path.")
    f = Frame("reload-response", "RELOAD response to request id 8")
    f.boolean(True, "ok"); f.string("configuration reloaded: 2 attestors, 1 policy", "message")
    write(f, 0x21, "RELOAD", True, 8, "The new configuration is in force.")

    # ERROR
    f = Frame("error-response", "ERROR response to request id 9")
    f.u16(0x0201, "status (unknown-opcode)"); f.u8(0x42, "request_opcode"); f.string("opcode 0x42 is not a request this server knows", "message")
    write(f, 0xFF, "ERROR", True, 9, "Request 9 used opcode 0x42, which this server does not know; the connection stays open.")
    f = Frame("error-unattributed", "ERROR response that cannot be attributed (request id 0)")
    f.u16(0x0101, "status (bad-frame)"); f.u8(0, "request_opcode (unknown)")
    f.string("frame at stream offset 0 has length 3, less than the 12 header bytes it must count", "message")
    write(f, 0xFF, "ERROR", True, 0, "Answer to a length prefix under 12; the server closes the connection after it.")

    lz4_vector()


def lz4_vector():
    """PING response whose 64-byte echo is LZ4-compressed."""
    lib = ctypes.CDLL(ctypes.util.find_library("lz4") or "liblz4.so.1")
    data = b"attestd " * 8
    plain = Frame("ping-response-lz4", "")
    plain.blob(data, "data")
    body = plain.body_bytes()
    bound = lib.LZ4_compressBound(len(body))
    dst = ctypes.create_string_buffer(bound)
    n = lib.LZ4_compress_default(body, dst, len(body), bound)
    block = dst.raw[:n]
    f = Frame("ping-response-lz4", "PING response to request id 10, LZ4-compressed body")
    f.add(struct.pack(">I", len(body)), f"u32 declared uncompressed size = {len(body)}")
    for data_, comment in parse_block(block):
        f.add(data_, comment)
    comp = f.body_bytes()
    head = header(f, 0x02, "PING", 3, 10, len(comp))
    desc = (
        f"The uncompressed body is `bytes data` = u32 length 64 + 'attestd ' repeated 8 times ({len(body)} bytes);\n"
        f"on the wire it is the 4-byte declared size + a {len(block)}-byte LZ4 block (liblz4 LZ4_compress_default).\n"
        "Sequence = token (high nibble literal count, low nibble match length - 4; 15 means more bytes follow),\n"
        "literals, u16 little-endian match offset, extra match length bytes; the last sequence has literals only."
    )
    emit(f, head, f.lines, desc)


def parse_block(block):
    out, i, seq = [], 0, 0
    while i < len(block):
        token = block[i]
        lit, ml = token >> 4, token & 15
        start = i
        i += 1
        while lit >= 15 and True:
            extra = block[i]; i += 1; lit += extra
            if extra != 255:
                break
        out.append((block[start:i], f"LZ4 sequence {seq}: token 0x{token:02x}, {lit} literal bytes"))
        out.append((block[i:i + lit], f"  literals {block[i:i + lit]!r}"))
        i += lit
        if i >= len(block):
            break
        offset = block[i] | block[i + 1] << 8
        mstart = i
        i += 2
        if ml == 15:
            while True:
                extra = block[i]; i += 1; ml += extra
                if extra != 255:
                    break
        out.append((block[mstart:i], f"  match offset {offset}, match length {ml + 4}"))
        seq += 1
    return out


if __name__ == "__main__":
    main()
