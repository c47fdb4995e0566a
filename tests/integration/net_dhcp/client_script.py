"""The lease-applying script the DHCP clients run in the tests (udhcpc -s, dhclient -sf).

It stands in for Debian's /etc/udhcpc/default.script and /sbin/dhclient-script but
writes into a test directory instead of /etc, and applies everything either client is
told — address, prefix, MTU, routes (121 if present, else option 3), DNS and search —
so the test can read the result back from the guest namespace. Each call appends one
JSON line (the reason and the normalized options) to events.jsonl in the directory.

Called through a tiny sh wrapper: client_script.py OUT_DIR [udhcpc's event argument].
"""
import json
import os
import subprocess
import sys


def run(*args):
    subprocess.run(["ip", *args], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def rfc3442_dhclient(text):
    """dhclient's "16 10 100 10 0 2 1 ..." → [("10.100.0.0/16", "10.0.2.1"), ...]."""
    nums = [int(x) for x in text.split()]
    out, i = [], 0
    while i < len(nums):
        width = nums[i]
        n = (width + 7) // 8
        dest = nums[i + 1:i + 1 + n] + [0] * (4 - n)
        gw = nums[i + 1 + n:i + 5 + n]
        out.append((".".join(map(str, dest)) + "/" + str(width), ".".join(map(str, gw))))
        i += 5 + n
    return out


def pairs(text):
    """udhcpc's "10.100.0.0/16 10.0.2.1 0.0.0.0/0 10.0.2.1" → pairs."""
    words = text.split()
    return list(zip(words[0::2], words[1::2]))


def udhcpc_private(env):
    """udhcpc exports options it has no name for as optNNN=<hex>: {"224": "text"}."""
    out = {}
    for key, value in env.items():
        if key.startswith("opt") and key[3:].isdigit() and 224 <= int(key[3:]) <= 254:
            out[key[3:]] = bytes.fromhex(value).decode("utf-8", "replace")
    return out


def dhclient_private(env):
    """dhclient exports the options the test's dhclient.conf declares as
    `option podvisor-opt-NNN code NNN = text;` as new_podvisor_opt_NNN."""
    prefix = "new_podvisor_opt_"
    return {k[len(prefix):]: v for k, v in env.items() if k.startswith(prefix)}


def normalize():
    env = os.environ
    if len(sys.argv) > 2:  # udhcpc: event as argument, options as plain names
        mask = env.get("mask", "")
        return {
            "client": "udhcpc", "reason": sys.argv[2], "interface": env.get("interface", ""),
            "ip": env.get("ip", ""), "prefix": int(mask) if mask.isdigit() else None,
            "routers": env.get("router", "").split(), "dns": env.get("dns", "").split(),
            "search": env.get("search", "").split(), "domain": env.get("domain", ""),
            "mtu": env.get("mtu", ""), "routes": pairs(env.get("staticroutes", "")),
            "hostname": env.get("hostname", ""), "lease": env.get("lease", ""),
            "ntp": env.get("ntpsrv", "").split(), "tftp": env.get("tftp", ""),
            "bootfile": env.get("bootfile", ""), "private": udhcpc_private(env),
        }
    mask = env.get("new_subnet_mask", "")
    prefix = sum(bin(int(o)).count("1") for o in mask.split(".")) if mask else None
    return {
        "client": "dhclient", "reason": env.get("reason", ""), "interface": env.get("interface", ""),
        "ip": env.get("new_ip_address", ""), "prefix": prefix,
        "routers": env.get("new_routers", "").split(), "dns": env.get("new_domain_name_servers", "").split(),
        "search": [d.rstrip(".") for d in env.get("new_domain_search", "").split()],
        "domain": env.get("new_domain_name", ""), "mtu": env.get("new_interface_mtu", ""),
        "routes": rfc3442_dhclient(env.get("new_rfc3442_classless_static_routes", "")),
        "hostname": env.get("new_host_name", ""), "lease": env.get("new_dhcp_lease_time", ""),
        "ntp": env.get("new_ntp_servers", "").split(), "tftp": env.get("new_tftp_server_name", ""),
        "bootfile": env.get("new_bootfile_name", ""), "private": dhclient_private(env),
    }


def apply(out_dir, o):
    dev = o["interface"]
    if o["reason"] in ("deconfig", "PREINIT"):
        run("link", "set", dev, "up")
        if o["reason"] == "deconfig":
            run("addr", "flush", "dev", dev)
        return
    if o["reason"] in ("RELEASE", "EXPIRE", "STOP", "FAIL"):
        run("addr", "flush", "dev", dev)
        return
    if o["reason"] not in ("bound", "renew", "BOUND", "RENEW", "REBIND", "REBOOT"):
        return
    if o["mtu"]:
        run("link", "set", dev, "mtu", o["mtu"])
    run("addr", "replace", "%s/%s" % (o["ip"], o["prefix"]), "dev", dev)
    run("route", "flush", "dev", dev, "proto", "static")
    # RFC 3442: a client that applies 121 ignores option 3.
    routes = o["routes"] or [("default", r) for r in o["routers"][:1]]
    for dest, gw in routes:
        if dest in ("0.0.0.0/0",):
            dest = "default"
        run("route", "replace", dest, "via", gw, "dev", dev, "proto", "static")
    with open(os.path.join(out_dir, "resolv.conf.new"), "w") as f:
        if o["search"]:
            f.write("search " + " ".join(o["search"]) + "\n")
        for ns in o["dns"]:
            f.write("nameserver " + ns + "\n")
    os.replace(os.path.join(out_dir, "resolv.conf.new"), os.path.join(out_dir, "resolv.conf"))


def main():
    out_dir = sys.argv[1]
    o = normalize()
    apply(out_dir, o)
    with open(os.path.join(out_dir, "events.jsonl"), "a") as f:
        f.write(json.dumps(o) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
