package io.samsa.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.FileRegion;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.samsa.protocol.ResponseFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionHandlerTest {

    @Test
    void responsesGoOutInRequestOrderEvenWhenTheyCompleteOutOfOrder() {
        CompletableFuture<ResponseFrame> first = new CompletableFuture<>();
        FrameHandler handler = (frame, connection) -> frame.get(0) == 1 ? first
                : CompletableFuture.completedFuture(ResponseFrame.of(ByteBuffer.wrap(new byte[] {2})));
        EmbeddedChannel channel = new EmbeddedChannel(plaintext(handler));
        channel.writeInbound(ByteBuffer.wrap(new byte[] {1}));
        channel.writeInbound(ByteBuffer.wrap(new byte[] {2}));
        channel.runPendingTasks();
        assertThat((ByteBuf) channel.readOutbound()).isNull();
        first.complete(ResponseFrame.of(ByteBuffer.wrap(new byte[] {1})));
        channel.runPendingTasks();
        assertThat(((ByteBuf) channel.readOutbound()).getByte(0)).isEqualTo((byte) 1);
        assertThat(((ByteBuf) channel.readOutbound()).getByte(0)).isEqualTo((byte) 2);
    }

    @Test
    void anErrorThrownByTheHandlerClosesTheConnectionInsteadOfStallingIt() {
        FrameHandler handler = (frame, connection) -> {
            throw new AssertionError("handler bug");
        };
        EmbeddedChannel channel = new EmbeddedChannel(plaintext(handler));
        channel.writeInbound(ByteBuffer.wrap(new byte[] {1}));
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    @TempDir
    Path dir;

    /** A frame of a 4-byte prefix and a file part of {@code content}, counting the part's releases. */
    private ResponseFrame frameWithFile(byte[] content, AtomicInteger releases) throws IOException {
        Path file = dir.resolve("segment.log");
        Files.write(file, content);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        ByteBuffer prefix = ByteBuffer.allocate(4).putInt(content.length).flip();
        return new ResponseFrame(List.of(new ResponseFrame.Bytes(prefix),
                new ResponseFrame.FilePart(channel, 0, content.length, releases::incrementAndGet)));
    }

    @Test
    void onPlaintextAFilePartGoesOutAsAFileRegionWithoutCopyingAndIsReleasedOnceWritten() throws Exception {
        AtomicInteger releases = new AtomicInteger();
        byte[] content = "records".getBytes(StandardCharsets.UTF_8);
        ResponseFrame frame = frameWithFile(content, releases);
        EmbeddedChannel channel = new EmbeddedChannel(plaintext((f, connection) -> CompletableFuture.completedFuture(frame)));
        channel.writeInbound(ByteBuffer.wrap(new byte[] {1}));
        channel.runPendingTasks();

        assertThat(((ByteBuf) channel.readOutbound()).readInt()).isEqualTo(content.length);
        FileRegion region = channel.readOutbound();
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        region.transferTo(Channels.newChannel(sent), 0);
        assertThat(sent.toByteArray()).isEqualTo(content);
        assertThat(releases).hasValue(0);
        region.release(); // what the transport does once the region is written
        assertThat(releases).hasValue(1);
    }

    @Test
    void withTlsAFilePartIsReadOnceIntoADirectBufferAndReleased() throws Exception {
        AtomicInteger releases = new AtomicInteger();
        byte[] content = "encrypted later".getBytes(StandardCharsets.UTF_8);
        ResponseFrame frame = frameWithFile(content, releases);
        SSLEngine engine = SSLContext.getDefault().createSSLEngine();
        engine.setUseClientMode(false);
        // The SslHandler sits after the connection handler here, so the test reads what it would encrypt.
        EmbeddedChannel channel = new EmbeddedChannel(plaintext((f, connection) -> CompletableFuture.completedFuture(frame)), new SslHandler(engine));
        channel.writeInbound(ByteBuffer.wrap(new byte[] {1}));
        channel.runPendingTasks();

        assertThat(((ByteBuf) channel.readOutbound()).readInt()).isEqualTo(content.length);
        ByteBuf records = channel.readOutbound();
        assertThat(records.isDirect()).isTrue();
        assertThat(ByteBufUtil.getBytes(records)).isEqualTo(content);
        assertThat(releases).as("the file is let go as soon as it is read").hasValue(1);
        records.release();
    }

    @Test
    void aResponseCompletingAfterTheConnectionClosedReleasesItsFilesOnce() throws Exception {
        AtomicInteger releases = new AtomicInteger();
        ResponseFrame frame = frameWithFile(new byte[] {7, 7, 7}, releases);
        CompletableFuture<ResponseFrame> later = new CompletableFuture<>();
        EmbeddedChannel channel = new EmbeddedChannel(plaintext((f, connection) -> later));
        channel.writeInbound(ByteBuffer.wrap(new byte[] {1}));
        channel.runPendingTasks();
        channel.close();
        later.complete(frame);
        channel.runPendingTasks();
        assertThat(releases).hasValue(1);
        assertThat((Object) channel.readOutbound()).isNull();
    }

    private static ConnectionHandler plaintext(FrameHandler handler) {
        return new ConnectionHandler(handler, Runnable::run, "PLAINTEXT", SecurityProtocol.PLAINTEXT,
                new Session(false));
    }
}
