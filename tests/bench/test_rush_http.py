"""The rush's HTTP client reads what gunicorn sends: status, cookies, redirects, chunked bodies."""

import socket
import threading

from bench.rush_http import VirtualDelegate, parse_response


def test_parse_response_reads_status_headers_and_body():
    raw = (
        b"HTTP/1.1 303 See Other\r\nLocation: /booking/confirm/\r\n"
        b"Set-Cookie: sessionid=abc; HttpOnly; Path=/\r\n"
        b"set-cookie: csrftoken=xyz; Path=/\r\nContent-Length: 5\r\n\r\nhello"
    )
    status, headers, body = parse_response(raw)
    assert status == 303
    assert ("location", "/booking/confirm/") in headers
    assert [v for n, v in headers if n == "set-cookie"] == [
        "sessionid=abc; HttpOnly; Path=/",
        "csrftoken=xyz; Path=/",
    ]
    assert body == "hello"


def test_parse_response_puts_a_chunked_body_back_together():
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n"
    )
    assert parse_response(raw) == (200, [("transfer-encoding", "chunked")], "hello, world")


def serve_once(answer):
    """A one-request server on the loopback: returns (port, the request it received)."""
    listener = socket.create_server(("127.0.0.1", 0))
    received = []

    def serve():
        connection, _ = listener.accept()
        with connection:
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = [
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            ]
            while length and len(body) < length[0]:
                body += connection.recv(65536)
            received.append(head + b"\r\n\r\n" + body)
            connection.sendall(answer)
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], received, thread


def test_virtual_delegate_posts_a_form_keeps_and_forgets_cookies():
    port, received, thread = serve_once(
        b"HTTP/1.1 302 Found\r\nLocation: /next/\r\nSet-Cookie: a=1; Path=/\r\n"
        b"Set-Cookie: gone=; Max-Age=0; Path=/\r\nConnection: close\r\n\r\n"
    )
    client = VirtualDelegate(f"http://127.0.0.1:{port}")
    client.cookies = {"gone": "old", "kept": "2"}
    response = client.request("/form/", {"name": "Ann O'Neil", "pick": ["1", "2"]})
    thread.join(5)
    request = received[0].decode()
    assert request.startswith("POST /form/ HTTP/1.1\r\n")
    assert "Cookie: gone=old; kept=2\r\n" in request
    assert "Content-Type: application/x-www-form-urlencoded\r\n" in request
    assert request.endswith("\r\n\r\nname=Ann+O%27Neil&pick=1&pick=2")
    assert (response.status, response.location, response.body) == (302, "/next/", "")
    assert client.cookies == {"kept": "2", "a": "1"}
