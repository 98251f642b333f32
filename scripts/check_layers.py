#!/usr/bin/env python3
"""Fails when a file includes from a layer above its own (DIRECTION.md section 3: a layer never
includes a higher one). The table below is the layering; each folder of src/ is one layer and
one CMake library. Tests may also include the test support library (tests/support).
Also fails on a raw std::mutex or std::condition_variable outside src/base/mutex.h: shared state
sits behind base::Mutex, whose annotations clang checks (src/base/README.md).

    usage: scripts/check_layers.py        (from anywhere; exit 1 and one line per violation)
"""
import pathlib
import re
import sys

# layer -> the layers it may include (besides itself). Lowest first.
ALLOWED = {
    "base": set(),
    "metrics": {"base"},
    "media": {"base"},
    "rtsp": {"base", "media"},
    "mp4": {"base", "media"},
    "store": {"base", "media", "mp4"},
    "motion": {"base", "media"},
    "decode": {"base", "media", "mp4"},
    "config": {"base", "webhook"},  # webhook: its event names, to check `webhooks:`
    "http": {"base"},
    "auth": {"base", "store"},
    "live": {"base", "media", "mp4"},
    "mqtt": {"base"},
    "webhook": {"base"},
    # ONVIF cameras: base64 and HTTP Digest from rtsp, and later its client for Profile G replay
    "onvif": {"base", "rtsp"},
    "analysis": {"base", "media", "decode", "motion", "store"},
    "api": {"base", "media", "store", "decode", "motion", "http", "auth", "live", "metrics"},
    # the site's outbox and forwarder: above store (the SQLite wrapper) and auth (whose audit
    # rows it reports; only its tests include auth, to make real rows)
    "uplink": {"base", "store", "auth"},
    # the centre: the uplink's wire protocol and NATS client, PostgreSQL
    "central": {"base", "uplink"},
    "app": None,  # wiring: anything
}
# Headers of a layer that other layers must not include: the storage formats stay in store/.
INTERNAL = {
    "store": {"meta_file.h", "segment_writer.h", "dir_writer.h", "gop_assembler.h",
              "varint.h", "motion_grid_chunk.h", "fault_injection_env.h"},
}
RAW_SYNC = re.compile(r"\bstd::(mutex|condition_variable|lock_guard|unique_lock|scoped_lock)\b")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/([^"]+)"', re.M)


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    problems = []
    for path in sorted((root / "src").rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        layer = path.relative_to(root / "src").parts[0]
        if layer not in ALLOWED:
            problems.append(f"{path.relative_to(root)}: layer '{layer}' is not in scripts/check_layers.py")
            continue
        allowed = ALLOWED[layer]
        is_test = path.name.endswith("_test.cc") or path.name.endswith("_test_util.h")
        text = path.read_text(encoding="utf-8", errors="replace")
        if not is_test and path.relative_to(root) != pathlib.Path("src/base/mutex.h"):
            for m in RAW_SYNC.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(root)}:{line}: std::{m.group(1)}: use base::Mutex,"
                                " MutexLock or CondVar (src/base/mutex.h)")
        for m in INCLUDE.finditer(text):
            target, header = m.group(1), m.group(2)
            line = text.count("\n", 0, m.start()) + 1
            where = f"{path.relative_to(root)}:{line}"
            if target == layer:
                continue
            if target == "support" and is_test:
                continue
            if header in INTERNAL.get(target, set()) and not is_test:
                problems.append(f"{where}: includes {target}/{header}, internal to {target}/")
            elif allowed is not None and target not in allowed:
                problems.append(f"{where}: {layer}/ includes {target}/{header}, from a layer it may not use")
    for p in problems:
        print(p)
    print(f"check_layers: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
