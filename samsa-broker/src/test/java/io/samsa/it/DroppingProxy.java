package io.samsa.it;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A loopback TCP proxy in front of the broker that can lose one Produce response: the broker has appended the batch,
 * but the client sees its connection drop instead of the answer, so it must retry the same batch. This is the failure
 * idempotent producers exist for. It can also hand every request frame it forwards to a listener (the fuzz corpus is
 * recorded that way from real clients).
 */
final class DroppingProxy implements AutoCloseable {

    private final ServerSocket server;
    private volatile InetSocketAddress upstream;
    private final AtomicBoolean dropNextProduceResponse = new AtomicBoolean();
    private final AtomicInteger droppedResponses = new AtomicInteger();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile Consumer<byte[]> requestListener = frame -> { };

    DroppingProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void setUpstream(InetSocketAddress upstream) {
        this.upstream = upstream;
    }

    /** Sees every request frame (without its length prefix) before it is forwarded. */
    void setRequestListener(Consumer<byte[]> listener) {
        this.requestListener = listener;
    }

    /** The response to the next Produce request will be swallowed and its connection closed. */
    void dropNextProduceResponse() {
        dropNextProduceResponse.set(true);
    }

    int droppedResponses() {
        return droppedResponses.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(upstream.getAddress(), upstream.getPort());
                sockets.add(client);
                sockets.add(broker);
                Set<Integer> toDrop = ConcurrentHashMap.newKeySet();
                start(() -> pumpRequests(client, broker, toDrop));
                start(() -> pumpResponses(broker, client, toDrop));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void start(Runnable task) {
        Thread t = new Thread(task, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void pumpRequests(Socket client, Socket broker, Set<Integer> toDrop) {
        try (DataInputStream in = new DataInputStream(client.getInputStream());
                DataOutputStream out = new DataOutputStream(broker.getOutputStream())) {
            while (true) {
                byte[] frame = readFrame(in);
                requestListener.accept(frame);
                short apiKey = (short) (((frame[0] & 0xff) << 8) | (frame[1] & 0xff));
                if (apiKey == 0 && dropNextProduceResponse.compareAndSet(true, false)) {
                    toDrop.add(correlationId(frame, 4));
                }
                out.writeInt(frame.length);
                out.write(frame);
                out.flush();
            }
        } catch (IOException e) {
            closeQuietly(client, broker);
        }
    }

    private void pumpResponses(Socket broker, Socket client, Set<Integer> toDrop) {
        try (DataInputStream in = new DataInputStream(broker.getInputStream());
                DataOutputStream out = new DataOutputStream(client.getOutputStream())) {
            while (true) {
                byte[] frame = readFrame(in);
                if (toDrop.remove(correlationId(frame, 0))) {
                    droppedResponses.incrementAndGet();
                    closeQuietly(client, broker);
                    return;
                }
                out.writeInt(frame.length);
                out.write(frame);
                out.flush();
            }
        } catch (IOException e) {
            closeQuietly(client, broker);
        }
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        int size = in.readInt();
        byte[] frame = new byte[size];
        in.readFully(frame);
        return frame;
    }

    private static int correlationId(byte[] frame, int at) {
        return ((frame[at] & 0xff) << 24) | ((frame[at + 1] & 0xff) << 16) | ((frame[at + 2] & 0xff) << 8)
                | (frame[at + 3] & 0xff);
    }

    private static void closeQuietly(Socket... toClose) {
        for (Socket s : toClose) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(DroppingProxy::closeQuietly);
    }
}
