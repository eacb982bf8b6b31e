#!/usr/bin/env bash
# Scenario for the IP threat-intel fixture: real connections on loopback only.
#   - outbound TCP connect to 127.0.0.2:3333  (a "mining pool" in the test threat list)
#   - outbound TCP connect to [::1]:4444      (a "C2" in the test threat list)
#   - inbound TCP accept of a client bound to 127.0.0.3 (a "Tor relay" in the test list)
#   - outbound TCP connect to 127.0.0.4:9001  (a "Tor relay" contacted as a client)
#   - outbound TCP connect to 127.0.0.5:80    (a "sinkhole" in the test list)
#   - outbound TCP connect to 127.0.0.6:443   (a "drop point" in the test list)
#   - outbound TCP connect to 127.0.0.1:8080  (trusted / unlisted: must raise nothing)
set -euo pipefail
exec /usr/bin/python3 - <<'PY'
import socket, threading

def serve(family, addr, accept_count):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr)
    s.listen(8)
    def loop():
        for _ in range(accept_count):
            c, _peer = s.accept()
            c.close()
        s.close()
    t = threading.Thread(target=loop)
    t.start()
    return t

threads = [
    serve(socket.AF_INET, ('127.0.0.2', 3333), 1),
    serve(socket.AF_INET6, ('::1', 4444), 1),
    serve(socket.AF_INET, ('127.0.0.1', 9001), 1),
    serve(socket.AF_INET, ('127.0.0.1', 8080), 1),
    serve(socket.AF_INET, ('127.0.0.4', 9001), 1),
    serve(socket.AF_INET, ('127.0.0.5', 80), 1),
    serve(socket.AF_INET, ('127.0.0.6', 443), 1),
]

def connect(family, addr, source=None):
    c = socket.socket(family, socket.SOCK_STREAM)
    if source:
        c.bind(source)
    c.connect(addr)
    c.close()

connect(socket.AF_INET, ('127.0.0.2', 3333))
connect(socket.AF_INET6, ('::1', 4444))
connect(socket.AF_INET, ('127.0.0.1', 9001), source=('127.0.0.3', 0))
connect(socket.AF_INET, ('127.0.0.1', 8080))
connect(socket.AF_INET, ('127.0.0.4', 9001))
connect(socket.AF_INET, ('127.0.0.5', 80))
connect(socket.AF_INET, ('127.0.0.6', 443))
for t in threads:
    t.join()
print('loopback connections done')
PY
