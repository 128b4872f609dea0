/**
 * The Kafka wire protocol: decoding request frames and encoding response frames with kafka-clients' generated message
 * classes. Bytes in, messages out; no sockets here.
 */
package io.samsa.protocol;
