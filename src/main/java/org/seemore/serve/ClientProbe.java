package org.seemore.serve;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Tells whether a request's client has closed its connection while the request waits for its tokens.
 *
 * <p>Jetty (11, under Javalin 6) reads nothing from a connection while its request is being handled,
 * so a client that goes away is only noticed when a write fails: a streaming response notices within
 * a token or two, but a non-streaming one, or a stream still waiting in the queue, would generate to
 * the end for nobody. This probe reads the socket itself, without blocking: end of stream (the
 * client's FIN) or a reset means the client is gone, as Go's net/http and nginx also take it.
 *
 * <p>The client of a POST must not send its next request before this one's response (RFC 9112,
 * section 9.3.2), so a read finds nothing else. If one does find bytes, they cannot be put back: the
 * probe stops probing and the response closes the connection instead of parsing a request whose start
 * was taken. Probe only while the response is not committed, so that this header can still be set.
 */
final class ClientProbe {
    private final EndPoint endPoint;
    private final ByteBuffer scratch = ByteBuffer.allocate(1);
    private boolean tookData;

    private ClientProbe(EndPoint endPoint) {
        this.endPoint = endPoint;
    }

    /** The probe of a request Jetty serves; one that never reports a disconnect for any other. */
    static ClientProbe of(HttpServletRequest request) {
        Request base = Request.getBaseRequest(request);
        return new ClientProbe(base == null || base.getHttpChannel() == null ? null : base.getHttpChannel().getEndPoint());
    }

    /** True once the client has closed or reset the connection (call from the request's thread). */
    boolean gone() {
        if (endPoint == null || tookData) return false;
        if (!endPoint.isOpen() || endPoint.isInputShutdown()) return true;
        try {
            scratch.clear().limit(0); // Jetty's fill appends after the limit
            int read = endPoint.fill(scratch);
            if (read > 0) tookData = true;
            return read < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Whether a probe took bytes the client sent early (the connection must then close after the response). */
    boolean tookData() { return tookData; }
}
