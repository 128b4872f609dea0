package io.samsa.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;

/** A plain socket speaking the Kafka protocol byte by byte, to send what a real client never would. */
final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId = 1;

    RawClient(String bootstrap) throws IOException {
        String[] hostPort = bootstrap.split(":");
        socket = new Socket();
        socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** How long a read waits before it fails with a SocketTimeoutException. */
    void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** Bytes of responses already received and not read yet. */
    int available() throws IOException {
        return in.available();
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Encodes a request with its header, as a client at {@code version} would. */
    static byte[] frame(ApiKeys key, short version, int correlationId, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("raw-client");
        short headerVersion = key.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(4 + size.totalSize());
        buffer.putInt(size.totalSize());
        ByteBufferAccessor writer = new ByteBufferAccessor(buffer);
        header.write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        return buffer.array();
    }

    /** Sends a request and reads its response. */
    AbstractResponse call(ApiKeys key, short version, ApiMessage body) throws IOException {
        return receive(key, version, send(key, version, body));
    }

    /** Sends a request without waiting for its response, so that several can be in flight; returns its id. */
    int send(ApiKeys key, short version, ApiMessage body) throws IOException {
        int id = correlationId++;
        sendBytes(frame(key, version, id, body));
        return id;
    }

    /** Reads the next response, which must be the one to request {@code id}. */
    AbstractResponse receive(ApiKeys key, short version, int id) throws IOException {
        ByteBuffer response = readFrame();
        ResponseHeaderData header = new ResponseHeaderData(new ByteBufferAccessor(response),
                key.responseHeaderVersion(version));
        if (header.correlationId() != id) {
            throw new IOException("correlation id " + header.correlationId() + " instead of " + id);
        }
        return AbstractResponse.parseResponse(key, new ByteBufferAccessor(response), version);
    }

    ByteBuffer readFrame() throws IOException {
        int size = in.readInt();
        byte[] bytes = new byte[size];
        in.readFully(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** True when the broker closed the connection (the next read sees end of stream or a reset). */
    boolean isClosedByBroker() {
        try {
            return in.read() == -1;
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
