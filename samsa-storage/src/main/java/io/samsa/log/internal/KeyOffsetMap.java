package io.samsa.log.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The log cleaner's map from record key to the latest offset of that key, in bounded memory: like Kafka's
 * SkimpyOffsetMap it stores a cryptographic hash of each key (the first 16 bytes of its SHA-256, so a collision is
 * never expected) instead of the key, 24 bytes an entry, in an open-addressing table. Unlike Kafka's it starts small
 * and doubles up to its memory budget, so that cleaning small logs costs little memory.
 *
 * <p>Not thread-safe: one map per cleaner thread.
 */
public final class KeyOffsetMap {

    /** Bytes of one entry: the hash as two longs and the offset. */
    private static final int BYTES_PER_ENTRY = 24;
    private static final int INITIAL_SLOTS = 1024;
    private static final double GROW_AT = 0.75;
    private static final long EMPTY = -1L;

    private final int maxSlots;
    private final int maxEntries;
    private final MessageDigest sha256;
    private long[] hashHigh;
    private long[] hashLow;
    private long[] offsets;
    private int size;
    private long latestOffset = -1;
    /** The hash of the last key digested, as two longs (no allocation per lookup). */
    private long digestHigh;
    private long digestLow;

    /**
     * @param memoryBytes the most memory the table may take (log.cleaner.dedupe.buffer.size per thread)
     * @param loadFactor the share of slots that may be used before the map is full (Kafka's 0.9)
     */
    public KeyOffsetMap(long memoryBytes, double loadFactor) {
        long slots = Math.max(2, memoryBytes / BYTES_PER_ENTRY);
        this.maxSlots = Integer.highestOneBit((int) Math.min(slots, 1 << 30));
        // One slot always stays empty, so that probing for an absent key ends.
        this.maxEntries = Math.max(1, Math.min(maxSlots - 1, (int) (maxSlots * loadFactor)));
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
        allocate(Math.min(INITIAL_SLOTS, maxSlots));
    }

    private void allocate(int slots) {
        hashHigh = new long[slots];
        hashLow = new long[slots];
        offsets = new long[slots];
        Arrays.fill(offsets, EMPTY);
    }

    /** Empties the map and gives back the memory of its growth. */
    public void clear() {
        allocate(Math.min(INITIAL_SLOTS, maxSlots));
        size = 0;
        latestOffset = -1;
    }

    public int size() {
        return size;
    }

    /** Whether no new key fits any more. */
    public boolean isFull() {
        return size >= maxEntries;
    }

    /**
     * Maps {@code key} to {@code offset}, replacing an earlier offset of the key. Call only when not {@link #isFull()}
     * or for a key already present.
     */
    public void put(ByteBuffer key, long offset) {
        digest(key);
        int slot = find(digestHigh, digestLow);
        if (offsets[slot] == EMPTY) {
            if (isFull()) {
                throw new IllegalStateException("The key offset map is full");
            }
            size++;
            hashHigh[slot] = digestHigh;
            hashLow[slot] = digestLow;
            if (size > offsets.length * GROW_AT && offsets.length < maxSlots) {
                offsets[slot] = offset;
                grow();
                return;
            }
        }
        offsets[slot] = offset;
    }

    /** The latest offset of {@code key}, or -1 when it is not in the map. */
    public long get(ByteBuffer key) {
        digest(key);
        return offsets[find(digestHigh, digestLow)];
    }

    /** The last offset the map covers: records after it were not read into it. */
    public long latestOffset() {
        return latestOffset;
    }

    public void updateLatestOffset(long offset) {
        latestOffset = Math.max(latestOffset, offset);
    }

    private void digest(ByteBuffer key) {
        sha256.reset();
        sha256.update(key.duplicate());
        ByteBuffer hash = ByteBuffer.wrap(sha256.digest());
        digestHigh = hash.getLong();
        digestLow = hash.getLong();
    }

    /** The slot holding this hash, or the empty slot where it would go (linear probing). */
    private int find(long high, long low) {
        int mask = offsets.length - 1;
        int slot = (int) (low ^ (low >>> 32)) & mask;
        while (offsets[slot] != EMPTY && (hashHigh[slot] != high || hashLow[slot] != low)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow() {
        long[] oldHigh = hashHigh;
        long[] oldLow = hashLow;
        long[] oldOffsets = offsets;
        allocate(oldOffsets.length * 2);
        for (int i = 0; i < oldOffsets.length; i++) {
            if (oldOffsets[i] != EMPTY) {
                int slot = find(oldHigh[i], oldLow[i]);
                hashHigh[slot] = oldHigh[i];
                hashLow[slot] = oldLow[i];
                offsets[slot] = oldOffsets[i];
            }
        }
    }
}
