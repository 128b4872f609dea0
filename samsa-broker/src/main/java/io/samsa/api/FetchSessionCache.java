package io.samsa.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * The bounded cache of incremental fetch sessions (KIP-227), with Kafka's rules: at most
 * {@code max.incremental.fetch.session.cache.slots} sessions; a new session takes a free slot, else evicts a session
 * unused for {@link #EVICTION_MS}, else the least valuable evictable one if it is worth less than the newcomer.
 * Value orders by privileged (followers' sessions above consumers'), then partition count. A follower may evict a
 * consumer's session at any time and another follower's once that is older than {@link #EVICTION_MS}; a consumer
 * may evict only sessions older than that.
 *
 * <p>Kafka spreads its slots over 8 shards; this cache is one shard of all the slots, so evictions happen at the same
 * total size but are chosen among all sessions at once.
 *
 * <p>Thread-safe: one lock for the cache, held for map updates only; lock order is cache, then session.
 */
public final class FetchSessionCache {

    /** Kafka's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS: a session unused this long may always be evicted. */
    static final long EVICTION_MS = 120_000;

    private record LastUsedKey(long lastUsedMs, int id) implements Comparable<LastUsedKey> {
        @Override
        public int compareTo(LastUsedKey o) {
            int c = Long.compare(lastUsedMs, o.lastUsedMs);
            return c != 0 ? c : Integer.compare(id, o.id);
        }
    }

    private record EvictableKey(boolean privileged, int size, int id) implements Comparable<EvictableKey> {
        @Override
        public int compareTo(EvictableKey o) {
            int c = Boolean.compare(privileged, o.privileged);
            if (c == 0) {
                c = Integer.compare(size, o.size);
            }
            return c != 0 ? c : Integer.compare(id, o.id);
        }
    }

    private final int maxEntries;
    private final LongSupplier nowMs;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();
    private final TreeMap<LastUsedKey, FetchSession> lastUsed = new TreeMap<>();
    private final TreeMap<EvictableKey, FetchSession> evictableByAll = new TreeMap<>();
    private final TreeMap<EvictableKey, FetchSession> evictableByPrivileged = new TreeMap<>();

    /**
     * @param maxEntries max.incremental.fetch.session.cache.slots (0 turns sessions off)
     * @param nowMs the clock, injectable for tests
     */
    public FetchSessionCache(int maxEntries, LongSupplier nowMs) {
        this.maxEntries = maxEntries;
        this.nowMs = nowMs;
    }

    long nowMs() {
        return nowMs.getAsLong();
    }

    synchronized FetchSession get(int id) {
        return sessions.get(id);
    }

    synchronized int size() {
        return sessions.size();
    }

    /**
     * Creates a session for a full fetch's partitions if there is room or something may be evicted for it.
     *
     * @return its id, or 0 (no session: the client keeps sending full fetches)
     */
    synchronized int maybeCreate(boolean privileged, boolean usesTopicIds, List<FetchSession.CachedPartition> parts) {
        long now = nowMs.getAsLong();
        if (sessions.size() >= maxEntries && !tryEvict(privileged, new EvictableKey(privileged, parts.size(), 0),
                now)) {
            return 0;
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        FetchSession session = new FetchSession(id, privileged, usesTopicIds, now, parts);
        sessions.put(id, session);
        touch(session, now);
        return id;
    }

    private boolean tryEvict(boolean privileged, EvictableKey key, long now) {
        Map.Entry<LastUsedKey, FetchSession> oldest = lastUsed.firstEntry();
        if (oldest == null) {
            return false;
        }
        if (now - oldest.getKey().lastUsedMs() > EVICTION_MS) {
            remove(oldest.getValue());
            return true;
        }
        Map.Entry<EvictableKey, FetchSession> cheapest =
                (privileged ? evictableByPrivileged : evictableByAll).firstEntry();
        if (cheapest == null || key.compareTo(cheapest.getKey()) < 0) {
            return false;
        }
        remove(cheapest.getValue());
        return true;
    }

    synchronized void remove(int id) {
        FetchSession session = sessions.get(id);
        if (session != null) {
            remove(session);
        }
    }

    synchronized void remove(FetchSession session) {
        lastUsed.remove(new LastUsedKey(session.lastUsedMs, session.id));
        EvictableKey key = new EvictableKey(session.privileged, session.cachedSize, session.id);
        evictableByAll.remove(key);
        evictableByPrivileged.remove(key);
        sessions.remove(session.id);
    }

    /** Records a use of the session now: it becomes the most recently used, and its value follows its size. */
    synchronized void touch(FetchSession session, long now) {
        if (sessions.get(session.id) != session) {
            return; // evicted meanwhile
        }
        lastUsed.remove(new LastUsedKey(session.lastUsedMs, session.id));
        session.lastUsedMs = now;
        lastUsed.put(new LastUsedKey(now, session.id), session);
        if (session.cachedSize != -1) {
            EvictableKey old = new EvictableKey(session.privileged, session.cachedSize, session.id);
            evictableByAll.remove(old);
            evictableByPrivileged.remove(old);
        }
        session.cachedSize = session.size();
        EvictableKey key = new EvictableKey(session.privileged, session.cachedSize, session.id);
        boolean old = now - session.creationMs > EVICTION_MS;
        if (!session.privileged || old) {
            evictableByPrivileged.put(key, session);
        }
        if (old) {
            evictableByAll.put(key, session);
        }
    }
}
