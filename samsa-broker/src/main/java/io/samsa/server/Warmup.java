package io.samsa.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import io.samsa.network.ClientConnection;
import io.samsa.network.FrameHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the request path once before clients do, so the first client is not the one that pays for cold code:
 * in-process through the dispatcher at every start (on its own thread, while the listener binds), and over a socket in
 * the class-data-sharing training run of {@code ./samsa build}, which records every class a broker loads.
 */
final class Warmup {

    private Warmup() {}

    /** Starts a broker, sends ApiVersions, Metadata and CreateTopics over a socket, and stops it. */
    static void trainClassDataSharing() {
        Path dir;
        try {
            dir = Files.createTempDirectory("samsa-cds-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Broker broker = Broker.start(BrokerConfig.parse(Map.of("listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", dir.toString())))) {
            exchange(broker.address());
        } finally {
            deleteRecursively(dir);
        }
    }

    /** Sends ApiVersions and an all-topics Metadata through the handler, discarding the answers. */
    static Thread inBackground(FrameHandler handler) {
        return Thread.ofPlatform().daemon().name("samsa-warmup").start(() -> {
            ClientConnection self = ClientConnection.internal(0);
            handler.handle(frame((short) 18, (short) 0, 1, new byte[0]), self).join().release();
            handler.handle(frame((short) 3, (short) 1, 2, new byte[] {-1, -1, -1, -1}), self).join().release();
        });
    }

    private static ByteBuffer frame(short apiKey, short version, int correlationId, byte[] body) {
        byte[] clientId = "samsa-warmup".getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(2 + 2 + 4 + 2 + clientId.length + body.length);
        frame.putShort(apiKey).putShort(version).putInt(correlationId).putShort((short) clientId.length)
                .put(clientId).put(body).flip();
        return frame;
    }

    private static void exchange(InetSocketAddress address) {
        try (Socket socket = new Socket(address.getAddress(), address.getPort());
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                DataInputStream in = new DataInputStream(socket.getInputStream())) {
            // ApiVersions v0 and Metadata v1 for all topics: the requests every client starts with.
            send(out, (short) 18, (short) 0, 1, new byte[0]);
            receive(in);
            send(out, (short) 3, (short) 1, 2, new byte[] {-1, -1, -1, -1});
            receive(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(DataOutputStream out, short apiKey, short version, int correlationId, byte[] body)
            throws IOException {
        ByteBuffer frame = frame(apiKey, version, correlationId, body);
        out.writeInt(frame.remaining());
        out.write(frame.array());
        out.flush();
    }

    private static void receive(DataInputStream in) throws IOException {
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir; the OS cleans it eventually
        }
    }
}
