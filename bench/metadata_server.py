#!/usr/bin/env python3
"""Loopback metadata server for bench/datasources.sh (not for production).

Plays EC2 (IMDSv2 token flow), GCE and OpenStack from the corpus fixtures on
127.0.0.1, on an ephemeral port printed on the first line of stdout.
    bench/metadata_server.py SHARED_DIR
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

shared = sys.argv[1]
ds = os.path.join(shared, "corpus/flamingo-go/datasources")
ec2 = json.load(open(os.path.join(ds, "ec2/2009-04-04.json")))
ec2["public-keys"] = {"my-key": {"openssh-key": "ssh-rsa OPENSSH_KEY"}}
gce_i = open(os.path.join(ds, "gce/GCEv1_instance.json")).read()
gce_p = open(os.path.join(ds, "gce/GCEv1_project.json")).read()
osmeta = open(os.path.join(ds, "openstack/2012-08-10.json")).read()
USER_DATA = "#cloud-config\nhostname: bench\n"


def ec2_tree(rel):
    cur = ec2
    parts = [p for p in rel.split("/") if p]
    if parts[:2] == ["public-keys", "0"]:
        parts[1] = "my-key"
    for p in parts:
        if not isinstance(cur, dict) or p not in cur:
            return None
        cur = cur[p]
    if isinstance(cur, dict):
        if parts and parts[-1] == "public-keys":
            return "".join("%d=%s\n" % (i, k) for i, k in enumerate(cur))
        return "".join(k + ("/" if isinstance(v, dict) else "") + "\n" for k, v in cur.items())
    if isinstance(cur, list):
        return "\n".join(str(x) for x in cur)
    return str(cur)


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body="", headers=()):
        b = body.encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(b)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(b)

    def do_PUT(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        if self.path == "/latest/api/token":
            return self.send(200, "TOKEN")
        self.send(405)

    def do_GET(self):
        p = self.path
        if p.startswith("/computeMetadata/v1/"):
            h = [("Metadata-Flavor", "Google")]
            if p.startswith("/computeMetadata/v1/instance/"):
                return self.send(200, gce_i, h)
            if p.startswith("/computeMetadata/v1/project/"):
                return self.send(200, gce_p, h)
            return self.send(404, "", h)
        if p.startswith("/openstack/latest/"):
            if p.endswith("/meta_data.json"):
                return self.send(200, osmeta)
            if p.endswith("/user_data"):
                return self.send(200, USER_DATA)
            return self.send(404)
        if self.headers.get("X-aws-ec2-metadata-token") != "TOKEN":
            return self.send(401)
        if p == "/latest/user-data":
            return self.send(200, USER_DATA)
        if p.startswith("/latest/meta-data/"):
            body = ec2_tree(p[len("/latest/meta-data/"):])
            return self.send(404) if body is None else self.send(200, body)
        self.send(404)


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
