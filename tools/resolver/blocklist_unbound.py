# BlocklistService resolver plugin for Unbound's Python module: blocks the host-scope entries of a list's local state
# (as `blocklist sync` keeps it, plain or hashed) by hash, without holding any readable name.
#
# For every query name it hashes each suffix ("www.evil.example" -> "www.evil.example/", "evil.example/",
# "example/") with SHA-256, the way entry ids are made from host-scope expressions, and looks the digests up among the
# state's host-scope ids. A listed name and all its subdomains are answered NXDOMAIN, or with the stop page's address
# when one is configured; every other name is resolved as usual by the next module. A background thread notices when
# sync commits a new state file (sync renames a finished file into place) and loads it beside the old one; queries use
# the old set until the new one is complete, then the new one: no pause, no restart of Unbound.
#
# unbound.conf:
#   server:
#     module-config: "python validator iterator"
#   python:
#     python-script: "/usr/share/blocklist/blocklist_unbound.py"
# and the plugin's settings in the file named by the environment variable BLOCKLIST_UNBOUND_CONF (default
# /etc/blocklist/unbound.conf), one "key = value" per line:
#   state = /var/lib/blocklist/eu/state.bin     (repeat for several lists)
#   stop-a = 192.0.2.80                          (optional: answer A queries with the stop page host's address)
#   stop-aaaa = 2001:db8::80                     (optional: the same for AAAA)
#   ttl = 300                                    (TTL of the answers it makes; default 300)
#   reload-check = 1                             (seconds between checks for a new state file; default 1)
import hashlib
import os
import struct
import threading
import time

HEAD_LENGTH = 2214
MAGIC = b"BLSTATE\n"
FORMAT_VERSION = 2
SCOPE_HOST = 2
MAX_NAME_BYTES = 253

# the current settings and host-id set; replaced whole (one assignment) on reload, never mutated
settings = {"states": [], "stop_a": None, "stop_aaaa": None, "ttl": 300, "reload_check": 1.0}
current = {"ids": frozenset(), "stamps": {}, "versions": {}}
stop_event = threading.Event()


def read_settings(path):
    result = {"states": [], "stop_a": None, "stop_aaaa": None, "ttl": 300, "reload_check": 1.0}
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = (part.strip() for part in line.partition("="))
            if not sep:
                raise ValueError("%s:%d: expected key = value" % (path, number))
            if key == "state":
                result["states"].append(value)
            elif key == "stop-a":
                result["stop_a"] = value
            elif key == "stop-aaaa":
                result["stop_aaaa"] = value
            elif key == "ttl":
                result["ttl"] = int(value)
            elif key == "reload-check":
                result["reload_check"] = max(0.05, float(value))
            else:
                raise ValueError("%s:%d: unknown setting %r" % (path, number, key))
    if not result["states"]:
        raise ValueError("%s: no 'state = <path of state.bin>' line" % path)
    return result


def read_host_ids(path):
    """The host-scope ids of one state file, checked as the CLI checks it (head and body SHA-256, count, order)."""
    with open(path, "rb") as f:
        data = f.read()
    head = data[:HEAD_LENGTH]
    if len(head) < HEAD_LENGTH or head[:8] != MAGIC:
        raise ValueError("%s is not a blocklist state file" % path)
    if struct.unpack_from("<i", head, 8)[0] != FORMAT_VERSION:
        raise ValueError("%s has an unknown format version" % path)
    if hashlib.sha256(head[:2182]).digest() != head[2182:2214]:
        raise ValueError("%s: its head does not match its SHA-256" % path)
    if hashlib.sha256(memoryview(data)[HEAD_LENGTH:]).digest() != head[2150:2182]:
        raise ValueError("%s: its records do not match their SHA-256" % path)
    version, count = struct.unpack_from("<qq", head, 45)
    ids = []
    at = HEAD_LENGTH
    end = len(data)
    previous = b""
    read = 0
    while at < end:
        entry_id = data[at:at + 32]
        scope = data[at + 32]
        expression_length = struct.unpack_from("<H", data, at + 33)[0]
        category_at = at + 35 + expression_length
        category_length = struct.unpack_from("<H", data, category_at)[0]
        at = category_at + 2 + category_length
        if entry_id <= previous:
            raise ValueError("%s: records out of order" % path)
        previous = entry_id
        read += 1
        if scope == SCOPE_HOST:
            ids.append(entry_id)
    if at != end or read != count:
        raise ValueError("%s: holds %d records, its head says %d" % (path, read, count))
    return version, ids


def stamp(path):
    try:
        s = os.stat(path)
        return (s.st_ino, s.st_mtime_ns, s.st_size)
    except OSError:
        return None


def load_changed():
    """Loads every state whose file changed; swaps in the new set only when all of them loaded."""
    stamps = {path: stamp(path) for path in settings["states"]}
    if stamps == current["stamps"]:
        return False
    ids = set()
    versions = {}
    for path in settings["states"]:
        version, host_ids = read_host_ids(path)
        versions[path] = version
        ids.update(host_ids)
    current.update({"ids": frozenset(ids), "stamps": stamps, "versions": versions})
    log_info("blocklist: %d blocked hosts from %s" % (len(ids), ", ".join("%s (version %d)" % (p, v) for p, v in versions.items())))
    return True


def watch():
    while not stop_event.wait(settings["reload_check"]):
        try:
            load_changed()
        except Exception as e:  # keep answering from the last good set
            log_info("blocklist: cannot use the changed state, keeping the last good one: %s" % e)


def is_blocked(name):
    """True when the name or one of its parent names is a listed host."""
    name = name.lower().rstrip(".")
    if not name or len(name) > MAX_NAME_BYTES:
        return False
    ids = current["ids"]
    labels = [label for label in name.split(".") if label]
    for i in range(len(labels)):
        suffix = ".".join(labels[i:]) + "/"
        if hashlib.sha256(suffix.encode("ascii", "replace")).digest() in ids:
            return True
    return False


def init_standard(id, env):
    global settings
    settings = read_settings(os.environ.get("BLOCKLIST_UNBOUND_CONF", "/etc/blocklist/unbound.conf"))
    load_changed()
    threading.Thread(target=watch, name="blocklist-reload", daemon=True).start()
    return True


def init(id, cfg):
    return init_standard(id, None)


def deinit(id):
    stop_event.set()
    return True


def inform_super(id, qstate, superqstate, qdata):
    return True


def answer_blocked(id, qstate):
    qinfo = qstate.qinfo
    msg = DNSMessage(qinfo.qname_str, qinfo.qtype, qinfo.qclass, PKT_QR | PKT_RA | PKT_AA)
    stop = settings["stop_a"] if qinfo.qtype == RR_TYPE_A else settings["stop_aaaa"] if qinfo.qtype == RR_TYPE_AAAA else None
    has_stop = settings["stop_a"] is not None or settings["stop_aaaa"] is not None
    if stop is not None:
        msg.answer.append("%s %d IN %s %s" % (qinfo.qname_str, settings["ttl"], "A" if qinfo.qtype == RR_TYPE_A else "AAAA", stop))
    if not msg.set_return_msg(qstate):
        qstate.ext_state[id] = MODULE_ERROR
        return True
    # with a stop page, the name exists (other types: no data); without one, it does not exist
    qstate.return_rcode = RCODE_NOERROR if has_stop else RCODE_NXDOMAIN
    qstate.return_msg.rep.security = 2
    qstate.ext_state[id] = MODULE_FINISHED
    return True


def operate(id, event, qstate, qdata):
    if event in (MODULE_EVENT_NEW, MODULE_EVENT_PASS):
        if is_blocked(qstate.qinfo.qname_str):
            return answer_blocked(id, qstate)
        qstate.ext_state[id] = MODULE_WAIT_MODULE
        return True
    if event == MODULE_EVENT_MODDONE:
        qstate.ext_state[id] = MODULE_FINISHED
        return True
    qstate.ext_state[id] = MODULE_ERROR
    return True
