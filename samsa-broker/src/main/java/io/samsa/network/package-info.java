/**
 * The Netty listener: length-prefixed framing, per-connection ordering of responses, backpressure and idle timeouts.
 * Bytes only: decoded requests are the business of the layer plugged in through {@link io.samsa.network.FrameHandler}.
 */
package io.samsa.network;
