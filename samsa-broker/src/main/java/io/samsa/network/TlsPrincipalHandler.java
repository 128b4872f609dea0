package io.samsa.network;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits behind the {@link SslHandler}: when the handshake succeeds and the client presented a certificate (mutual
 * TLS), the session's principal becomes the mapped subject of that certificate; when it fails (a plaintext client, an
 * untrusted or expired certificate, garbage), the connection is closed with one log line. Frames are read only after
 * a successful handshake, so no request is ever served under the wrong principal.
 */
final class TlsPrincipalHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TlsPrincipalHandler.class);

    private final Session session;
    private final Function<X500Principal, String> principalOf;
    /** Set once the handshake succeeded: later failures are the connection's, not TLS's, to report. */
    private boolean handshakeDone;

    TlsPrincipalHandler(Session session, Function<X500Principal, String> principalOf) {
        this.session = session;
        this.principalOf = principalOf;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                LOG.info("Closing connection from {}: TLS handshake failed: {}", ctx.channel().remoteAddress(),
                        rootMessage(done.cause()));
                ctx.close();
                return;
            }
            try {
                Certificate[] peer = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
                if (peer.length > 0 && peer[0] instanceof X509Certificate cert) {
                    session.principal(principalOf.apply(cert.getSubjectX500Principal()));
                }
            } catch (SSLPeerUnverifiedException e) {
                // No client certificate (ssl.client.auth none or requested): the principal stays ANONYMOUS.
            } catch (RuntimeException e) {
                LOG.info("Closing connection from {}: its certificate's subject maps to no principal: {}",
                        ctx.channel().remoteAddress(), e.getMessage());
                ctx.close();
                return;
            }
            handshakeDone = true;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (handshakeDone) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        // SslHandler reports garbage before a handshake here and then in the completion event: logged there.
        ctx.close();
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // A plaintext client's bytes come back hex-encoded in Netty's message: a log line needs only their start.
        String text = root.toString();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
