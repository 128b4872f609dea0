package io.samsa.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP listener on its own: routes, readiness, and bad input (unknown paths, huge headers, slow clients). */
class HttpEndpointTest {

    private final AtomicReference<HttpEndpoint.Source> source = new AtomicReference<>();
    private volatile String notReady = "starting";
    private HttpEndpoint endpoint;
    private InetSocketAddress address;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        endpoint = new HttpEndpoint(new HttpEndpoint.Settings("127.0.0.1", 0, 500, 4), source::get);
        address = endpoint.start();
    }

    @AfterEach
    void stop() {
        endpoint.close();
        client.close();
    }

    private void serve() {
        source.set(new HttpEndpoint.Source() {
            @Override
            public String scrape() {
                return "# TYPE up gauge\nup 1\n";
            }

            @Override
            public String notReadyReason() {
                return notReady;
            }
        });
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAnswersAtOnceAndReadyIsFalseUntilTheBrokerServes() throws Exception {
        // Given a broker still starting: nothing to serve yet
        assertThat(get("/health").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).isEqualTo("not ready: starting\n");
        assertThat(get("/metrics").statusCode()).isEqualTo(503);
        // When it is wired but not yet serving
        serve();
        assertThat(get("/ready").statusCode()).isEqualTo(503);
        // Then ready once it serves
        notReady = null;
        HttpResponse<String> readyNow = get("/ready");
        assertThat(readyNow.statusCode()).isEqualTo(200);
        assertThat(readyNow.body()).isEqualTo("ready\n");
        HttpResponse<String> metrics = get("/metrics?name[]=up");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValue(HttpRequestHandler.PROMETHEUS_TEXT);
        assertThat(metrics.body()).isEqualTo("# TYPE up gauge\nup 1\n");
        // And not ready again while stopping
        notReady = "stopping";
        assertThat(get("/ready").body()).isEqualTo("not ready: stopping\n");
    }

    @Test
    void unknownPathsAndMethodsGetClearErrors() throws Exception {
        serve();
        HttpResponse<String> missing = get("/admin");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("Not found. This port serves /metrics, /health, /ready and /metadata.\n");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + address.getPort() + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
        HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + address.getPort() + "/health")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void hugeHeadersLongLinesAndGarbageAreAnsweredAndClosed() throws Exception {
        serve();
        assertThat(raw("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"))
                .startsWith("HTTP/1.1 431 Request Header Fields Too Large");
        assertThat(raw("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"))
                .startsWith("HTTP/1.1 414 Request-URI Too Long");
        assertThat(raw("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + "b".repeat(100_000)))
                .startsWith("HTTP/1.1 413 Request Entity Too Large");
        assertThat(raw("\u0001\u0002 garbage\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request");
        // The listener still serves
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aSlowClientIsClosedAndOthersAreServedMeanwhile() throws Exception {
        serve();
        try (Socket slow = new Socket("127.0.0.1", address.getPort())) {
            OutputStream out = slow.getOutputStream();
            out.write("GET /metr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(get("/health").statusCode()).isEqualTo(200);
            // The request never completes: the connection is closed after the request timeout (500 ms here)
            slow.setSoTimeout(10_000);
            assertThat(slow.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAndTheListenerRecovers() throws Exception {
        serve();
        Socket[] held = new Socket[4];
        for (int i = 0; i < held.length; i++) {
            held[i] = new Socket("127.0.0.1", address.getPort());
        }
        try (Socket extra = new Socket("127.0.0.1", address.getPort())) {
            extra.setSoTimeout(10_000);
            assertThat(extra.getInputStream().read()).isEqualTo(-1);
        }
        for (Socket s : held) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get("/health").statusCode())
                .isEqualTo(200));
    }

    /** Sends bytes on a fresh connection and returns everything the server sent until it closed. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                // the server may answer and close before reading everything; the answer is still there to read
            }
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
