#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the hand-made records of the unit tests (tests/hm-*.record).

Each record is built the way spice-server 0.15 writes one (the line order of
every command, binary blocks "binary 0 <name> <size>:<bytes>\\n"), with one
rule broken on purpose where the test says so.  The generated files are
committed; run this script after changing it:  tests/make-records.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# device constants (uapi/qxl_device.h)
CMD_DRAW, CMD_UPDATE, CMD_CURSOR, CMD_MESSAGE, CMD_SURFACE = 1, 2, 3, 4, 5
FILL, OPAQUE, COPY, COPY_BITS, STROKE, TEXT, COMPOSITE = 1, 2, 3, 4, 10, 11, 14
IMG_BITMAP, IMG_QUIC, IMG_SURFACE = 0, 1, 104
BMP_1BIT_LE, BMP_1BIT_BE, BMP_8BIT, BMP_32BIT, BMP_RGBA = 1, 2, 5, 8, 9
SURF_32_XRGB = 32
MSG_CREATE_PRIMARY, MSG_DESTROY_PRIMARY, MSG_DESTROY_SURFACES, MSG_WAKEUP = 20, 21, 19, 2
MSG_RESET_MEMSLOTS, MSG_ADD_MEMSLOT = 18, 16
MSG_START, MSG_STOP = 8, 9


class Record:
    def __init__(self):
        self.out = bytearray(b"SPICE_REPLAY 1\n")
        self.n = 0

    def line(self, s):
        self.out += s.encode() + b"\n"

    def binary(self, name, data):
        self.out += b"binary 0 %s %d:" % (name.encode(), len(data)) + data + b"\n"

    def chunks(self, name, data, parts=1):
        cut = [len(data) * i // parts for i in range(parts + 1)]
        self.line("data_chunks %d %d" % (parts - 1, len(data)))
        for i in range(parts):
            self.binary(name, data[cut[i]:cut[i + 1]])

    def event(self, what, typ):
        self.line("event %d %d %d %d" % (self.n, what, typ, 1000000 + self.n))
        self.n += 1

    def rect(self, name, r):
        self.line("rect %s %d %d %d %d" % ((name,) + tuple(r)))

    # dispatcher messages
    def msg(self, typ):
        self.event(1, typ)

    def boot(self):
        for t in (MSG_RESET_MEMSLOTS, MSG_ADD_MEMSLOT, MSG_DESTROY_SURFACES):
            self.msg(t)

    def create_primary(self, w, h, stride=None, fmt=SURF_32_XRGB, payload=True):
        stride = stride if stride is not None else -w * 4
        self.event(1, MSG_CREATE_PRIMARY)
        if payload:
            self.line("%d %d %d %d" % (w, h, stride, fmt))
            self.line("0 1 0 0")
            self.binary("data", bytes(abs(stride) * h))

    # images
    def image(self, im):
        if im is None:
            self.line("image 0")
            return
        self.line("image 1")
        self.line("descriptor.id %d" % im.get("id", 0))
        self.line("descriptor.type %d" % im["type"])
        self.line("descriptor.flags %d" % im.get("flags", 0))
        self.line("descriptor.width %d" % im.get("dw", im.get("x", 0)))
        self.line("descriptor.height %d" % im.get("dh", im.get("y", 0)))
        if im["type"] == IMG_BITMAP:
            for k in ("format", "bflags", "x", "y", "stride"):
                self.line("bitmap.%s %d" % ("flags" if k == "bflags" else k, im[k]))
            pal = im.get("palette")
            self.line("has_palette %d" % (1 if pal is not None else 0))
            if pal is not None:
                self.line("qp.num_ents %d" % len(pal))
                self.line("unique 7")
                for e in pal:
                    self.line("ents %d" % e)
            if im["bflags"] & 1:
                self.binary("image_data_flat", im["data"])
            else:
                self.chunks("bitmap.data", im["data"], im.get("parts", 1))
        elif im["type"] == IMG_SURFACE:
            self.line("surface_image.surface_id %d" % im["surface"])
        elif im["type"] == IMG_QUIC:
            self.line("quic.data_size %d" % im["quic_size"])
            self.chunks("quic.data", im["data"])

    def qmask(self, mask=None):
        self.line("flags 0")
        self.line("point 0 0")
        self.image(mask)

    def draw_head(self, surface, bbox, typ, clip=None, dest=(-1, -1, -1), dest_rect=(0, 0, 4, 4)):
        self.event(0, CMD_DRAW)
        self.line("drawable")
        self.rect("bbox", bbox)
        if isinstance(clip, int):
            self.line("type %d" % clip)     # a clip type with nothing after it
        elif clip is None:
            self.line("type 0")
        else:
            rects, num = clip if isinstance(clip, tuple) else (clip, len(clip))
            self.line("type 1")
            self.line("num_rects %d" % num)
            self.chunks("clip_rects", b"".join(struct.pack("<4i", *r) for r in rects))
        self.line("effect 1")
        self.line("mm_time 0")
        self.line("self_bitmap 0")
        self.rect("self_bitmap_area", (0, 0, 0, 0))
        self.line("surface_id %d" % surface)
        for d in dest:
            self.line("surfaces_dest %d" % d)
            self.rect("surfaces_rects", (0, 0, 0, 0) if d == -1 else dest_rect)
        self.line("type %d" % typ)

    def fill(self, surface, bbox, color=0xff00ff, clip=None, dest=(-1, -1, -1), mask=None,
             brush=1, pattern=None, dest_rect=(0, 0, 4, 4)):
        self.draw_head(surface, bbox, FILL, clip, dest, dest_rect)
        self.line("type %d" % brush)
        if brush == 1:
            self.line("u.color %d" % color)
        elif brush == 2:
            self.image(pattern)
            self.line("point 0 0")
        self.line("rop_descriptor 8")
        self.qmask(mask)

    def stroke(self, surface, bbox, nseg, style):
        self.draw_head(surface, bbox, STROKE)
        self.chunks("path", struct.pack("<I", 1) + bytes(20))
        self.line("attr.flags 8")
        self.line("attr.style_nseg %d" % nseg)
        self.binary("style", style)
        self.line("type 1")
        self.line("u.color 0")
        self.line("fore_mode 8")
        self.line("back_mode 8")

    def copy(self, surface, bbox, im, src_area, clip=None, mask=None):
        self.draw_head(surface, bbox, COPY, clip)
        self.image(im)
        self.rect("src_area", src_area)
        self.line("rop_descriptor 8")
        self.line("scale_mode 0")
        self.qmask(mask)

    def copy_bits(self, surface, bbox, x, y):
        self.draw_head(surface, bbox, COPY_BITS)
        self.line("point %d %d" % (x, y))

    def text(self, surface, bbox, glyphs, flags, data_size=None):
        self.draw_head(surface, bbox, TEXT)
        self.line("data_size %d" % (len(glyphs) if data_size is None else data_size))
        self.line("length 1")
        self.line("flags %d" % flags)
        self.chunks("string", glyphs)
        self.rect("back_area", (0, 0, 0, 0))
        self.line("type 1")
        self.line("u.color 0")
        self.line("type 0")
        self.line("fore_mode 8")
        self.line("back_mode 8")

    def surface_create(self, sid, w, h, stride=None, fmt=SURF_32_XRGB):
        self.event(0, CMD_SURFACE)
        self.line("surface_cmd")
        self.line("surface_id %d" % sid)
        self.line("type 0")
        self.line("flags 0")
        self.line("u.surface_create.format %d" % fmt)
        self.line("u.surface_create.width %d" % w)
        self.line("u.surface_create.height %d" % h)
        self.line("u.surface_create.stride %d" % (w * 4 if stride is None else stride))

    def surface_destroy(self, sid, typ=1):
        self.event(0, CMD_SURFACE)
        self.line("surface_cmd")
        self.line("surface_id %d" % sid)
        self.line("type %d" % typ)
        self.line("flags 0")

    def cursor_raw(self, typ):
        self.event(0, CMD_CURSOR)
        self.line("cursor_cmd")
        self.line("type %d" % typ)

    def cursor_set(self, typ, w, h, hx, hy, data, data_size=None):
        self.event(0, CMD_CURSOR)
        self.line("cursor_cmd")
        self.line("type 0")
        self.line("point16 10 10")
        self.line("u.set.visible 1")
        self.line("header.unique 5")
        self.line("header.type %d" % typ)
        self.line("header.width %d" % w)
        self.line("header.height %d" % h)
        self.line("header.hot_spot_x %d" % hx)
        self.line("header.hot_spot_y %d" % hy)
        self.line("data_size %d" % (len(data) if data_size is None else data_size))
        self.chunks("cursor", data, 2 if len(data) > 64 else 1)

    def cursor_move(self, x, y):
        self.event(0, CMD_CURSOR)
        self.line("cursor_cmd")
        self.line("type 1")
        self.line("point16 %d %d" % (x, y))

    def update(self, surface, area):
        self.event(0, CMD_UPDATE)
        self.line("update")
        self.rect("area", area)
        self.line("update_id 1")
        self.line("surface_id %d" % surface)

    def message(self, text):
        self.event(0, CMD_MESSAGE)
        self.binary("message", text)

    def save(self, name):
        with open(os.path.join(HERE, name + ".record"), "wb") as f:
            f.write(self.out)


def bitmap(x, y, stride=None, fmt=BMP_32BIT, data=None, parts=1, direct=False, **kw):
    stride = stride if stride is not None else x * 4
    if data is None:
        data = bytes((i * 7 + 3) & 0xff for i in range(stride * y))
    im = dict(type=IMG_BITMAP, format=fmt, bflags=(1 if direct else 0) | 4, x=x, y=y,
              stride=stride, data=data, parts=parts)
    im.update(kw)
    return im


def base(w=64, h=48):
    r = Record()
    r.boot()
    r.create_primary(w, h)
    return r


def main():
    # --- valid: one of everything, all well formed
    r = base()
    r.msg(MSG_WAKEUP)
    r.fill(0, (0, 0, 48, 64), clip=[(0, 0, 10, 10), (20, 20, 30, 30)])
    r.copy(0, (4, 4, 20, 20), bitmap(16, 16, parts=3), (0, 0, 16, 16))
    r.copy(0, (0, 0, 2, 8), bitmap(8, 2, direct=True), (0, 0, 2, 8))
    r.copy(0, (0, 0, 4, 8), bitmap(8, 4, fmt=BMP_8BIT, stride=8, palette=[0, 0xffffff]),
           (0, 0, 4, 8))
    r.copy_bits(0, (10, 10, 20, 20), 0, 0)
    r.surface_create(1, 32, 16)
    r.fill(1, (0, 0, 16, 32), mask=bitmap(32, 16, fmt=BMP_1BIT_LE, stride=4))
    r.copy(0, (0, 0, 16, 32), dict(type=IMG_SURFACE, surface=1, dw=32, dh=16), (0, 0, 16, 32))
    r.text(0, (0, 0, 8, 8), b"\x01" * 20, 1)
    r.surface_destroy(1)
    r.cursor_set(0, 32, 32, 1, 1, bytes(32 * 32 * 4))
    r.cursor_set(1, 16, 16, 0, 15, bytes(2 * 2 * 16))
    r.cursor_move(20, 20)
    r.update(0, (0, 0, 48, 64))
    r.message(b"hello from the guest")
    r.save("hm-valid")

    # --- valid: fills and copy-bits only, no image data
    r = base()
    r.fill(0, (0, 0, 10, 10))
    r.copy_bits(0, (0, 0, 10, 10), 10, 10)
    r.fill(0, (5, 5, 6, 6), clip=[(5, 5, 6, 6)])
    r.save("hm-no-images")

    # --- one broken rule per record
    r = base()
    r.fill(0, (0, 0, 10, 10))
    r.event(0, 7)
    r.save("hm-bad-cmd-type")

    r = base()
    r.fill(3, (0, 0, 4, 4))
    r.save("hm-surface-unknown")

    r = base()
    r.surface_create(2, 8, 8)
    r.surface_destroy(2)
    r.surface_destroy(2)
    r.save("hm-surface-destroy-twice")

    r = base()
    r.surface_create(2, 8, 8)
    r.surface_create(2, 8, 8)
    r.save("hm-surface-create-twice")

    r = base()
    r.surface_create(2, 8, 8)
    r.surface_destroy(2)
    r.fill(2, (0, 0, 4, 4))
    r.save("hm-surface-use-after-destroy")

    r = base()
    r.surface_create(2, 8, 8)
    r.fill(2, (0, 0, 4, 4))
    r.save("hm-surface-leak")

    r = base()
    r.surface_create(2, 8, 8, stride=16)
    r.save("hm-surface-bad-stride")

    r = base()
    r.fill(0, (0, 0, 49, 64))
    r.save("hm-bbox-outside")

    r = base()
    r.fill(0, (10, 0, 5, 64))
    r.save("hm-bbox-inverted")

    r = base()
    r.copy(0, (0, 0, 16, 16), bitmap(16, 16), (0, 0, 16, 17))
    r.save("hm-src-area-outside")

    r = base()
    r.fill(0, (0, 0, 10, 10), clip=([(0, 0, 10, 10)], 2))
    r.save("hm-clip-count")

    r = base()
    r.fill(0, (0, 0, 10, 10), clip=[(0, 0, 10, 10), (8, 0, 2, 10)])
    r.save("hm-clip-inverted")

    r = base()
    r.copy(0, (0, 0, 4, 16), bitmap(16, 4, stride=32), (0, 0, 4, 16))
    r.save("hm-bitmap-stride")

    r = base()
    r.copy(0, (0, 0, 4, 16), bitmap(16, 4, data=bytes(16 * 4 * 4 - 4)), (0, 0, 4, 16))
    r.save("hm-bitmap-size")

    r = base()
    r.copy(0, (0, 0, 4, 4), bitmap(4, 4, fmt=11, stride=16), (0, 0, 4, 4))
    r.save("hm-bitmap-format")

    r = base()
    r.copy(0, (0, 0, 4, 4), bitmap(4, 4, fmt=BMP_8BIT, stride=4), (0, 0, 4, 4))
    r.save("hm-bitmap-no-palette")

    r = base()
    r.copy(0, (0, 0, 4, 8), bitmap(8, 4, fmt=BMP_1BIT_BE, stride=1, palette=[0, 1, 2]),
           (0, 0, 4, 8))
    r.save("hm-palette-too-big")

    r = base()
    r.copy(0, (0, 0, 4, 8), bitmap(8, 4, fmt=BMP_1BIT_LE, stride=1, palette=[0, 1]),
           (0, 0, 4, 8))
    r.save("hm-bitmap-little-endian")

    r = base()
    r.copy(0, (0, 0, 4, 4), bitmap(4, 4, dw=5), (0, 0, 4, 4))
    r.save("hm-descriptor-size")

    r = base()
    r.fill(0, (0, 0, 8, 8), mask=bitmap(8, 8, fmt=BMP_32BIT))
    r.save("hm-mask-format")

    r = base()
    r.surface_create(1, 8, 8)
    r.surface_destroy(1)
    r.copy(0, (0, 0, 8, 8), dict(type=IMG_SURFACE, surface=1, dw=8, dh=8), (0, 0, 8, 8))
    r.save("hm-surface-image-dead")

    r = base()
    r.copy(0, (0, 0, 8, 8), dict(type=IMG_QUIC, quic_size=100, data=bytes(90), dw=8, dh=8),
           (0, 0, 8, 8))
    r.save("hm-quic-size")

    r = base()
    r.cursor_set(0, 32, 32, 1, 1, bytes(32 * 32 * 4 - 4))
    r.save("hm-cursor-size")

    r = base()
    r.cursor_set(0, 8, 8, 8, 0, bytes(8 * 8 * 4))
    r.save("hm-cursor-hotspot")

    r = base()
    r.cursor_set(9, 8, 8, 0, 0, bytes(8 * 8 * 4))
    r.save("hm-cursor-type")

    r = base()
    r.cursor_set(0, 8, 8, 0, 0, bytes(8 * 8 * 4), data_size=8 * 8 * 4 + 4)
    r.save("hm-cursor-data-size")

    r = base()
    r.update(0, (0, 0, 48, 65))
    r.save("hm-update-area")

    r = base()
    r.fill(0, (0, 0, 4, 4), dest=(5, -1, -1))
    r.save("hm-surfaces-dest")

    r = base()
    r.copy_bits(0, (0, 0, 10, 10), 60, 0)
    r.save("hm-copy-bits-outside")

    r = base()
    r.text(0, (0, 0, 8, 8), b"\x01" * 20, 3)
    r.save("hm-text-flags")

    r = Record()
    r.boot()
    r.create_primary(64, 48, payload=False)
    r.fill(0, (0, 0, 4, 4))
    r.save("hm-primary-refused")

    r = base()
    r.create_primary(64, 48)
    r.save("hm-primary-twice")

    r = base()
    r.msg(MSG_DESTROY_PRIMARY)
    r.msg(MSG_DESTROY_PRIMARY)
    r.save("hm-primary-destroy-twice")

    # two devices write one record (a second START while started): surface 0
    # is any device's primary, bounded by the largest
    for name, bottom in (("hm-two-devices", 48), ("hm-two-devices-outside", 49)):
        r = Record()
        r.boot()
        r.msg(MSG_START)
        r.boot()
        r.msg(MSG_START)
        r.create_primary(64, 48)
        r.create_primary(32, 24)
        r.fill(0, (0, 0, bottom, 64))
        r.msg(MSG_DESTROY_PRIMARY)
        r.msg(MSG_DESTROY_SURFACES)
        r.fill(0, (0, 0, 24, 32))
        r.save(name)

    r = base()
    r.fill(0, (0, 0, 4, 4), clip=2)
    r.save("hm-clip-type")

    r = base()
    r.fill(0, (0, 0, 4, 4), brush=5)
    r.save("hm-brush-type")

    r = base()
    r.fill(0, (0, 0, 4, 4), brush=2, pattern=None)
    r.save("hm-pattern-no-image")

    r = base()
    r.surface_create(1, 8, 8)
    r.fill(0, (0, 0, 4, 4), dest=(1, -1, -1), dest_rect=(0, 0, 9, 4))
    r.save("hm-surfaces-rects")

    r = base()
    r.copy(0, (0, 0, 4, 4), None, (0, 0, 4, 4))
    r.save("hm-copy-no-src")

    r = base()
    r.text(0, (0, 0, 8, 8), b"\x01" * 20, 1, data_size=24)
    r.save("hm-text-size")

    r = base()
    r.stroke(0, (0, 0, 8, 8), 3, bytes(8))
    r.save("hm-stroke-style")

    r = base()
    r.copy(0, (0, 0, 4, 4), bitmap(0, 4, stride=0, data=b""), (0, 0, 0, 0))
    r.save("hm-bitmap-zero")

    r = base()
    r.copy(0, (0, 0, 4, 4), bitmap(4, 4, stride=0x40000000, data=b""), (0, 0, 4, 4))
    r.save("hm-bitmap-huge")

    r = base()
    r.surface_create(70000, 8, 8)
    r.save("hm-surface-id-range")

    r = base()
    r.surface_destroy(0, typ=2)
    r.save("hm-surface-cmd-type")

    r = base()
    r.cursor_raw(7)
    r.save("hm-cursor-cmd-type")

    r = base()
    r.cursor_set(0, 600, 8, 0, 0, bytes(16))
    r.save("hm-cursor-too-big")

    r = Record()
    r.boot()
    r.create_primary(64, 48, fmt=33)
    r.save("hm-primary-format")

    # --- statistics
    r = base()
    img = bitmap(8, 8)
    r.copy(0, (0, 0, 8, 8), img, (0, 0, 8, 8))
    r.copy(0, (8, 8, 16, 16), img, (0, 0, 8, 8))
    r.copy(0, (16, 16, 24, 24), bitmap(8, 8, data=bytes(256)), (0, 0, 8, 8))
    r.copy(0, (24, 24, 32, 32), bitmap(8, 8, flags=1, id=99), (0, 0, 8, 8))
    r.save("hm-duplicates")

    # one cache id, two different images (a client's in place of the console's)
    r = base()
    r.copy(0, (0, 0, 8, 8), bitmap(8, 8, flags=1, id=0x1234), (0, 0, 8, 8))
    r.copy(0, (8, 8, 16, 16), bitmap(8, 8, flags=1, id=0x1234), (0, 0, 8, 8))
    r.copy(0, (16, 16, 24, 24), bitmap(8, 8, data=bytes(256), flags=1, id=0x1234),
           (0, 0, 8, 8))
    r.save("hm-cache-alias")

    # the cursor set on one head, then hidden by the head the pointer left
    r = base()
    r.cursor_set(0, 32, 32, 1, 1, bytes(32 * 32 * 4))
    r.cursor_move(40, 20)
    r.cursor_raw(2)
    r.save("hm-cursor-hidden")

    r = base(32, 16)
    frame = bytearray(32 * 16 * 4)
    r.copy(0, (0, 0, 16, 32), bitmap(32, 16, data=bytes(frame)), (0, 0, 16, 32))
    frame[(3 * 32 + 5) * 4] = 0xff       # one pixel at row 3, column 5
    r.copy(0, (0, 0, 16, 32), bitmap(32, 16, data=bytes(frame)), (0, 0, 16, 32))
    frame[:] = bytes((i * 5) & 0xff for i in range(len(frame)))
    r.copy(0, (0, 0, 16, 32), bitmap(32, 16, data=bytes(frame)), (0, 0, 16, 32))
    r.save("hm-full-uploads")

    # a bad command, then good ones: ranges select what is judged
    r = base()
    r.fill(0, (0, 0, 100, 100))
    mark = len(r.out)
    r.fill(0, (0, 0, 10, 10))
    r.fill(0, (0, 0, 10, 10))
    r.save("hm-range")
    with open(os.path.join(HERE, "hm-range.mark"), "w") as f:
        f.write("%d\n" % mark)

    # --- corrupt records
    def corrupt(name, data):
        with open(os.path.join(HERE, name + ".record"), "wb") as f:
            f.write(data)

    good = base()
    good.fill(0, (0, 0, 4, 4))
    g = bytes(good.out)
    corrupt("hm-corrupt-header", b"SPICE_REPLAY 2\n" + g[15:])
    corrupt("hm-corrupt-empty", b"")
    corrupt("hm-corrupt-garbage-line", g + b"hello world\n")
    corrupt("hm-corrupt-counter", g + b"event 17 1 2 5\n")
    corrupt("hm-corrupt-number", g.replace(b"rect bbox 0 0 4 4", b"rect bbox 0 x 4 4"))
    corrupt("hm-corrupt-cut-line", g[:-9])
    blk = g.index(b"binary 0 data ")
    colon = g.index(b":", blk)
    corrupt("hm-corrupt-binary-size", g[:blk] + b"binary 0 data 99999999999:" + g[colon + 1:])
    corrupt("hm-corrupt-binary-newline",
            g.replace(b"binary 0 data 12288:", b"binary 0 data 12287:"))
    corrupt("hm-corrupt-nul", g.replace(b"rop_descriptor 8", b"rop_descr\x00ptor 8"))
    withcopy = base()
    withcopy.copy(0, (0, 0, 4, 4), bitmap(4, 4), (0, 0, 4, 4))
    corrupt("hm-corrupt-chunks",
            bytes(withcopy.out).replace(b"data_chunks 0 64", b"data_chunks 0 60"))


if __name__ == "__main__":
    main()
