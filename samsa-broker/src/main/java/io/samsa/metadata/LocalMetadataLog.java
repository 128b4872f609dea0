package io.samsa.metadata;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A metadata log without a quorum: one file of frames {@code int32 length, int32 crc32c, payload}, where a payload is a
 * batch of serialized records appended atomically. Every append is fsynced before it returns, because metadata
 * changes are rare and losing one (a created topic) would be worse than the milliseconds it costs. A torn last frame
 * (a crash mid-append) is detected by its CRC on open and cut off; nothing before it is lost.
 *
 * <p>It serves unit tests (a controller that commits at once) and reads data directories written before the Raft
 * quorum: {@link #readAll} is the migration's source. Appends apply and notify the listener before they return.
 *
 * <p>Thread-safe: appends are synchronized.
 */
public final class LocalMetadataLog implements MetadataLog {

    private static final Logger LOG = LoggerFactory.getLogger(LocalMetadataLog.class);
    static final String FILE_NAME = "metadata.log";

    private final Path file;
    private final FileChannel channel;
    /** Bytes of whole frames: where the next frame goes, and where a torn one is cut back to. */
    private long end;
    private final List<MetadataRecord> records = new ArrayList<>();
    private Listener listener;
    private MetadataImage image = MetadataImage.EMPTY;
    private long batches;

    private LocalMetadataLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating if needed) the log in {@code dir}, recovering a torn tail. */
    public static LocalMetadataLog open(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE_NAME);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            LocalMetadataLog log = new LocalMetadataLog(file, channel);
            log.load();
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the metadata log in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void load() throws IOException {
        long size = channel.size();
        ByteBuffer all = ByteBuffer.allocate((int) size);
        while (all.hasRemaining() && channel.read(all, all.position()) > 0) {
            // read fully
        }
        all.flip();
        long valid = 0;
        while (all.remaining() >= 8) {
            int length = all.getInt(all.position());
            int crc = all.getInt(all.position() + 4);
            if (length < 0 || length > all.remaining() - 8) {
                break;
            }
            byte[] payload = new byte[length];
            all.get(all.position() + 8, payload);
            if (crc(payload) != crc) {
                break;
            }
            records.addAll(decode(payload));
            batches++;
            all.position(all.position() + 8 + length);
            valid = all.position();
        }
        if (valid < size) {
            LOG.warn("Metadata log {} has a torn or corrupt frame at byte {}; truncating {} bytes after it", file,
                    valid, size - valid);
            channel.truncate(valid);
            channel.force(true);
        }
        channel.position(valid);
        end = valid;
    }

    private static List<MetadataRecord> decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        int count = in.readInt();
        List<MetadataRecord> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(MetadataRecordSerde.deserialize(in));
        }
        return batch;
    }

    private static int crc(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** Every record in the file, oldest first. */
    public synchronized List<MetadataRecord> readAll() {
        return List.copyOf(records);
    }

    /** Replays the file to the listener, then makes this node the (only) leader. */
    @Override
    public synchronized void start(Listener listener) {
        this.listener = listener;
        image = MetadataImage.EMPTY.apply(records);
        listener.applied(image, batches);
        listener.leaderReady(1);
    }

    @Override
    public synchronized CompletableFuture<Long> append(List<MetadataRecord> batch) {
        try {
            write(batch);
        } catch (MetadataException e) {
            return CompletableFuture.failedFuture(e);
        }
        long offset = ++batches;
        if (listener != null) {
            image = image.apply(batch);
            listener.applied(image, offset);
        }
        return CompletableFuture.completedFuture(offset);
    }

    private void write(List<MetadataRecord> batch) {
        List<byte[]> encoded = new ArrayList<>(batch.size());
        int length = 4;
        for (MetadataRecord record : batch) {
            byte[] bytes = MetadataRecordSerde.serialize(record);
            encoded.add(bytes);
            length += bytes.length;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        payload.putInt(batch.size());
        encoded.forEach(payload::put);
        byte[] payloadBytes = payload.array();
        ByteBuffer frame = ByteBuffer.allocate(8 + length);
        frame.putInt(length).putInt(crc(payloadBytes)).put(payloadBytes).flip();
        try {
            if (channel.size() > end) {
                channel.truncate(end); // a frame torn by an earlier failure
            }
            long at = end;
            while (frame.hasRemaining()) {
                at += channel.write(frame, at);
            }
            channel.force(false);
            end = at;
        } catch (IOException e) {
            // A torn frame must not stay in front of the next one, or a restart would stop reading there.
            try {
                channel.truncate(end);
            } catch (IOException again) {
                LOG.debug("Cannot cut the metadata log {} back to {} bytes yet: {}", file, end, again.toString());
            }
            throw new MetadataException(MetadataException.Kind.KAFKA_STORAGE_ERROR, "Cannot write the metadata log "
                    + file + ": " + e.getMessage());
        }
        records.addAll(batch);
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Closing metadata log {} failed: {}", file, e.getMessage());
        }
    }
}
