"""RFC 6455 frame codec shared by the fake Sync Gateway and the raw test client.

Kept deliberately permissive on the *decode* side (it reports RSV bits, reserved opcodes and the
mask flag instead of rejecting them) because tests need to observe exactly what crossed the wire.
"""
from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def accept_key(client_key: str) -> str:
    """Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 section 4.2.2)."""
    digest = hashlib.sha1((client_key + GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def new_client_key() -> str:
    return base64.b64encode(os.urandom(16)).decode("ascii")


@dataclass
class Frame:
    fin: bool
    rsv: int          # the three RSV bits as an int 0..7
    opcode: int
    masked: bool
    payload: bytes

    def close_code(self) -> int | None:
        if self.opcode != OP_CLOSE or len(self.payload) < 2:
            return None
        return struct.unpack("!H", self.payload[:2])[0]

    def close_reason(self) -> str:
        return self.payload[2:].decode("utf-8", "replace") if self.opcode == OP_CLOSE else ""


def encode_header(opcode: int, length: int, *, fin: bool = True, rsv: int = 0,
                  mask_key: bytes | None = None) -> bytes:
    b0 = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0x0F)
    mbit = 0x80 if mask_key is not None else 0
    if length < 126:
        head = struct.pack("!BB", b0, mbit | length)
    elif length < 65536:
        head = struct.pack("!BBH", b0, mbit | 126, length)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, length)
    return head + (mask_key or b"")


def apply_mask(payload: bytes, key: bytes) -> bytes:
    if not payload:
        return b""
    # int-xor over the whole buffer: fast enough for 4 MiB payloads in pure Python.
    n = len(payload)
    full = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(full, "big")).to_bytes(n, "big")


def encode_frame(opcode: int, payload: bytes = b"", *, fin: bool = True, rsv: int = 0,
                 mask: bool = False) -> bytes:
    """One complete frame. Clients must mask (mask=True); servers must not."""
    key = os.urandom(4) if mask else None
    body = apply_mask(payload, key) if key else payload
    return encode_header(opcode, len(payload), fin=fin, rsv=rsv, mask_key=key) + body


def close_payload(code: int | None, reason: str = "") -> bytes:
    if code is None:
        return b""
    return struct.pack("!H", code) + reason.encode("utf-8")


class FrameDecoder:
    """Incremental decoder: feed bytes, pull complete frames. Never rejects anything."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def feed(self, data: bytes) -> None:
        self.buf += data

    def next_frame(self) -> Frame | None:
        b = self.buf
        if len(b) < 2:
            return None
        fin = bool(b[0] & 0x80)
        rsv = (b[0] >> 4) & 7
        opcode = b[0] & 0x0F
        masked = bool(b[1] & 0x80)
        ln = b[1] & 0x7F
        pos = 2
        if ln == 126:
            if len(b) < 4:
                return None
            ln = struct.unpack_from("!H", b, 2)[0]
            pos = 4
        elif ln == 127:
            if len(b) < 10:
                return None
            ln = struct.unpack_from("!Q", b, 2)[0]
            pos = 10
        key = None
        if masked:
            if len(b) < pos + 4:
                return None
            key = bytes(b[pos:pos + 4])
            pos += 4
        if len(b) < pos + ln:
            return None
        payload = bytes(b[pos:pos + ln])
        del b[:pos + ln]
        if key:
            payload = apply_mask(payload, key)
        return Frame(fin, rsv, opcode, masked, payload)
