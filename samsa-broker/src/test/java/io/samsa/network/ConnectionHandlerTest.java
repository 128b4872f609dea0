package io.samsa.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ConnectionHandlerTest {

    @Test
    void responsesGoOutInRequestOrderEvenWhenTheyCompleteOutOfOrder() {
        CompletableFuture<ByteBuffer> first = new CompletableFuture<>();
        FrameHandler handler = (frame, connection) -> frame.get(0) == 1 ? first
                : CompletableFuture.completedFuture(ByteBuffer.wrap(new byte[] {2}));
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionHandler(handler, Runnable::run, "PLAINTEXT",
                SecurityProtocol.PLAINTEXT, new Session(false)));
        channel.writeInbound(ByteBuffer.wrap(new byte[] {1}));
        channel.writeInbound(ByteBuffer.wrap(new byte[] {2}));
        channel.runPendingTasks();
        assertThat((ByteBuf) channel.readOutbound()).isNull();
        first.complete(ByteBuffer.wrap(new byte[] {1}));
        channel.runPendingTasks();
        assertThat(((ByteBuf) channel.readOutbound()).getByte(0)).isEqualTo((byte) 1);
        assertThat(((ByteBuf) channel.readOutbound()).getByte(0)).isEqualTo((byte) 2);
    }

    @Test
    void anErrorThrownByTheHandlerClosesTheConnectionInsteadOfStallingIt() {
        FrameHandler handler = (frame, connection) -> {
            throw new AssertionError("handler bug");
        };
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionHandler(handler, Runnable::run, "PLAINTEXT",
                SecurityProtocol.PLAINTEXT, new Session(false)));
        channel.writeInbound(ByteBuffer.wrap(new byte[] {1}));
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }
}
