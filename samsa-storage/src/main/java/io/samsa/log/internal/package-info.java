/**
 * The implementation behind {@link io.samsa.log.Log}: segments, their offset and time indexes, checkpoint files,
 * the leader-epoch cache and idempotent-producer state. Nothing here is API; the broker must not import it.
 *
 * <p>Unless a class says otherwise, its mutators are called with the owning log's append lock held, and its
 * readers may run concurrently with them.
 */
package io.samsa.log.internal;
