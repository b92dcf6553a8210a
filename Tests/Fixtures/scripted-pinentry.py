#!/usr/bin/env python3
"""A scripted pinentry for the tests: a real Assuan peer that needs no display.

It answers GETPIN with --pin (or cancels with --cancel), CONFIRM with --confirm yes|no,
and appends every command it receives to --log (descriptions decoded; never the PIN it sends).
With --hang it never answers GETPIN or CONFIRM (a person who walked away); --pid-file gets
its process id at start.
"""
import argparse
import os
import sys
import time
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("--pin")
parser.add_argument("--confirm", default="yes")
parser.add_argument("--cancel", action="store_true")
parser.add_argument("--log")
parser.add_argument("--hang", action="store_true")
parser.add_argument("--pid-file")
args = parser.parse_args()
if args.pid_file:
    with open(args.pid_file, "w", encoding="utf-8") as f:
        f.write(str(os.getpid()))


def log(text):
    if args.log:
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(text + "\n")


def send(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def escape(text):
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


send("OK Pleased to meet you")
for raw in sys.stdin:
    line = raw.rstrip("\n")
    command, _, rest = line.partition(" ")
    log(f"{command} {urllib.parse.unquote(rest)}".rstrip())
    if args.hang and command in ("GETPIN", "CONFIRM"):
        while True:
            time.sleep(60)
    if command == "GETPIN":
        if args.cancel or args.pin is None:
            send("ERR 83886179 Operation cancelled <Pinentry>")
        else:
            send("D " + escape(args.pin))
            send("OK")
    elif command == "CONFIRM":
        if args.confirm == "yes":
            send("OK")
        else:
            send("ERR 83886179 Operation cancelled <Pinentry>")
    elif command == "BYE":
        send("OK closing connection")
        break
    else:
        send("OK")
