package io.samsa.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP connection of the {@link HttpEndpoint}: routes {@code GET}/{@code HEAD} of /metrics, /health and /ready,
 * answers everything else with a plain-text error, and closes a connection that takes too long to send a request.
 * Keep-alive is honoured; one request at a time per connection (the next is read once the previous is answered).
 *
 * <p>Touched on its channel's event loop only, except the scrape, which runs on the metrics thread and hands its text
 * back to the event loop.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRequestHandler.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PLAIN_TEXT = "text/plain; charset=utf-8";

    private final Supplier<HttpEndpoint.Source> source;
    private final Executor scrapeThread;
    private final long requestTimeoutMs;
    private ScheduledFuture<?> requestDeadline;

    HttpRequestHandler(Supplier<HttpEndpoint.Source> source, Executor scrapeThread, long requestTimeoutMs) {
        this.source = source;
        this.scrapeThread = scrapeThread;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        armDeadline(ctx);
        super.channelActive(ctx);
    }

    /** A slow client (one byte a second) or a silent one is closed once a request has taken too long to arrive. */
    private void armDeadline(ChannelHandlerContext ctx) {
        requestDeadline = ctx.executor().schedule(() -> {
            LOG.debug("Closing HTTP connection from {}: no whole request within {} ms", ctx.channel().remoteAddress(),
                    requestTimeoutMs);
            ctx.close();
        }, requestTimeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (requestDeadline != null) {
            requestDeadline.cancel(false);
        }
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        requestDeadline.cancel(false);
        ctx.channel().config().setAutoRead(false); // one request at a time; reading resumes after the answer
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException
                    ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException
                            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            send(ctx, false, false, status, PLAIN_TEXT, status.reasonPhrase() + "\n");
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);
        String path = request.uri();
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (!path.equals("/metrics") && !path.equals("/health") && !path.equals("/ready")
                && !path.equals("/metadata")) {
            send(ctx, keepAlive, head, HttpResponseStatus.NOT_FOUND, PLAIN_TEXT,
                    "Not found. This port serves /metrics, /health, /ready and /metadata.\n");
            return;
        }
        if (!head && !request.method().equals(HttpMethod.GET)) {
            FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED, PLAIN_TEXT,
                    "Only GET and HEAD are served here.\n", false);
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            write(ctx, keepAlive, response);
            return;
        }
        HttpEndpoint.Source served = source.get();
        switch (path) {
            case "/health" -> send(ctx, keepAlive, head, HttpResponseStatus.OK, PLAIN_TEXT, "ok\n");
            case "/ready" -> {
                String reason = served == null ? "starting" : served.notReadyReason();
                if (reason == null) {
                    send(ctx, keepAlive, head, HttpResponseStatus.OK, PLAIN_TEXT, "ready\n");
                } else {
                    send(ctx, keepAlive, head, HttpResponseStatus.SERVICE_UNAVAILABLE, PLAIN_TEXT,
                            "not ready: " + reason + "\n");
                }
            }
            case "/metadata" -> {
                if (served == null) {
                    send(ctx, keepAlive, head, HttpResponseStatus.SERVICE_UNAVAILABLE, PLAIN_TEXT,
                            "not ready: starting\n");
                } else {
                    send(ctx, keepAlive, head, HttpResponseStatus.OK, PLAIN_TEXT, served.metadataSummary());
                }
            }
            default -> scrape(ctx, keepAlive, head, served);
        }
    }

    private void scrape(ChannelHandlerContext ctx, boolean keepAlive, boolean head, HttpEndpoint.Source served) {
        if (served == null) {
            send(ctx, keepAlive, head, HttpResponseStatus.SERVICE_UNAVAILABLE, PLAIN_TEXT, "not ready: starting\n");
            return;
        }
        try {
            scrapeThread.execute(() -> {
                String text;
                HttpResponseStatus status = HttpResponseStatus.OK;
                try {
                    text = served.scrape();
                } catch (RuntimeException | Error e) {
                    // Whatever failed, the client gets an answer rather than a connection left hanging.
                    LOG.warn("Metrics scrape failed: {}", e.toString());
                    status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                    text = "scrape failed: " + e + "\n";
                }
                HttpResponseStatus answered = status;
                String body = text;
                ctx.executor().execute(() -> send(ctx, keepAlive, head, answered,
                        answered == HttpResponseStatus.OK ? PROMETHEUS_TEXT : PLAIN_TEXT, body));
            });
        } catch (RejectedExecutionException e) {
            send(ctx, false, head, HttpResponseStatus.SERVICE_UNAVAILABLE, PLAIN_TEXT, "shutting down\n");
        }
    }

    private void send(ChannelHandlerContext ctx, boolean keepAlive, boolean head, HttpResponseStatus status,
            String contentType, String body) {
        write(ctx, keepAlive, response(status, contentType, body, head));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body,
            boolean head) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }

    private void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.writeAndFlush(response).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
                return;
            }
            armDeadline(ctx);
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
