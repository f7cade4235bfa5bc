"""Loopback stand-in for SQS in the transport benchmark: answers every POST with a
GetQueueAttributes-shaped response after --delay-ms, with HTTP/1.1 keep-alive.
No signature check (the emulator does that in the tests); prints its port."""
import argparse
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ATTRS = {
    "QueueArn": "arn:aws:sqs:us-east-1:123456789012:bench", "ApproximateNumberOfMessages": "0",
    "ApproximateNumberOfMessagesNotVisible": "0", "ApproximateNumberOfMessagesDelayed": "0",
    "CreatedTimestamp": "1700000000", "LastModifiedTimestamp": "1700000000",
    "VisibilityTimeout": "30", "MaximumMessageSize": "262144", "MessageRetentionPeriod": "345600",
    "DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "0"}
# SQS of the committed model speaks the query protocol: an XML GetQueueAttributesResponse.
BODY = ('<GetQueueAttributesResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
        '<GetQueueAttributesResult>' +
        "".join("<Attribute><Name>%s</Name><Value>%s</Value></Attribute>" % kv for kv in ATTRS.items()) +
        '</GetQueueAttributesResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000'
        '</RequestId></ResponseMetadata></GetQueueAttributesResponse>').encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # headers and body go out as separate writes
    delay = 0.02

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.delay:
            time.sleep(self.delay)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay-ms", type=float, default=20)
    a = ap.parse_args()
    Handler.delay = a.delay_ms / 1000.0
    s = Server(("127.0.0.1", 0), Handler)
    print("port=%d" % s.server_address[1], flush=True)
    s.serve_forever()


main()
