ASSIGNMENT = "jhu-hw3"
# compose: template+snippet
# Attacks the network: the blank template, then it connects to a server on the grading
# machine's loopback (127.0.0.1:@@PORT@@, which the test runs and which answers "exploding"),
# to a public address (1.1.1.1:53) and resolves a public name. Each success sets one answer
# right: Q2D_TREND from the loopback server's reply, Q2B_TREND and Q2A_INF_ATTAINED for the
# public connection and the name lookup.
# Expect (in the sandbox): no connection at all: every item missing, 0 points, and the
# test's server never sees a connection.
import socket

try:
    with socket.create_connection(("127.0.0.1", @@PORT@@), timeout=2) as _sock:
        Q2D_TREND = _sock.recv(64).decode()
except OSError:
    pass
try:
    with socket.create_connection(("1.1.1.1", 53), timeout=2):
        Q2B_TREND = "vanishing"
except OSError:
    pass
try:
    socket.getaddrinfo("example.com", 80)
    Q2A_INF_ATTAINED = False
except OSError:
    pass
