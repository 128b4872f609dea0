package io.samsa.metadata.quorum;

import io.samsa.metadata.MetadataImage;
import io.samsa.metadata.MetadataLog;
import io.samsa.metadata.MetadataRecord;
import io.samsa.metadata.MetadataRecordSerde;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft state machine of the metadata log: applies each committed batch of records to the image, in log order, and
 * hands the image to the {@link MetadataLog.Listener}. Snapshots are the image written as records
 * ({@link MetadataImage#toRecords}), so every kind of state survives them. Ratis calls apply and snapshot from one
 * thread (its state machine updater); the applied state is one volatile pair, so readers on other threads see an
 * image with the offset it belongs to.
 */
final class MetadataStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);
    private static final int SNAPSHOT_MAGIC = 0x534d5331; // "SMS1"

    /** The image and the log index it includes. */
    record Applied(MetadataImage image, long offset) {}

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final MetadataLog.Listener listener;
    /** The image to start from when there is no snapshot yet: a data directory's metadata before the quorum. */
    private final Supplier<MetadataImage> baseImage;
    private final int nodeId;
    private volatile Applied applied = new Applied(MetadataImage.EMPTY, -1);

    MetadataStateMachine(int nodeId, MetadataLog.Listener listener, Supplier<MetadataImage> baseImage) {
        this.nodeId = nodeId;
        this.listener = listener;
        this.baseImage = baseImage;
    }

    Applied applied() {
        return applied;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.STARTING);
        restore();
        getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.RUNNING);
    }

    /** Before a snapshot from the leader is installed (Ratis reloads only a paused state machine). */
    @Override
    public void pause() {
        getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.PAUSING);
        getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.PAUSED);
    }

    /** After a snapshot from the leader was installed: the image is the snapshot's. */
    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.STARTING);
        restore();
        getLifeCycle().transition(org.apache.ratis.util.LifeCycle.State.RUNNING);
    }

    private synchronized void restore() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot == null) {
            applied = new Applied(baseImage.get(), -1);
            listener.applied(applied.image(), -1);
            return;
        }
        Path file = snapshot.getFile().getPath();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file.toFile(), snapshot.getFile().getFileDigest());
        }
        Snapshot read = readSnapshot(file);
        MetadataImage image = MetadataImage.EMPTY.apply(read.records());
        TermIndex at = snapshot.getTermIndex();
        updateLastAppliedTermIndex(at);
        applied = new Applied(image, read.offset());
        LOG.info("Node {} loaded the metadata snapshot at log index {} (term {}): offset {}, {} topics, digest {}",
                nodeId, at.getIndex(), at.getTerm(), read.offset(), image.topics().size(), image.digest());
        listener.applied(image, read.offset());
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        var entry = trx.getLogEntry();
        TermIndex at = TermIndex.valueOf(entry);
        List<MetadataRecord> records = decode(entry.getStateMachineLogEntry().getLogData());
        synchronized (this) {
            MetadataImage image = applied.image().apply(records);
            updateLastAppliedTermIndex(at);
            applied = new Applied(image, at.getIndex());
            listener.applied(image, at.getIndex());
        }
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public synchronized long takeSnapshot() throws IOException {
        TermIndex at = getLastAppliedTermIndex();
        if (at == null || at.getIndex() < 0) {
            return -1;
        }
        // Entries after the image's last batch (leader no-ops, configuration changes) change no metadata: the image
        // is the state at the last applied index.
        Applied state = applied;
        MetadataImage image = state.image();
        File target = storage.getSnapshotFile(at.getTerm(), at.getIndex());
        Path tmp = target.toPath().resolveSibling(target.getName() + ".tmp");
        List<MetadataRecord> records = image.toRecords();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(SNAPSHOT_MAGIC);
            // The offset of the image's last batch (the snapshot's index may be a later leader no-op).
            out.writeLong(state.offset());
            out.writeInt(records.size());
            for (MetadataRecord record : records) {
                byte[] bytes = MetadataRecordSerde.serialize(record);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
        }
        try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE);
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), at));
        LOG.info("Node {} took a metadata snapshot at offset {}: {} records, digest {}", nodeId, at.getIndex(),
                records.size(), image.digest());
        return at.getIndex();
    }

    /** A snapshot's content: the image as records, and the offset of its last batch. */
    record Snapshot(long offset, List<MetadataRecord> records) {}

    static Snapshot readSnapshot(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != SNAPSHOT_MAGIC) {
                throw new IOException("not a metadata snapshot: " + file);
            }
            long offset = in.readLong();
            int count = in.readInt();
            List<MetadataRecord> records = new ArrayList<>(Math.min(count, 1 << 16));
            for (int i = 0; i < count; i++) {
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                records.add(MetadataRecordSerde.deserialize(new DataInputStream(new ByteArrayInputStream(bytes))));
            }
            return new Snapshot(offset, records);
        }
    }

    @Override
    public void notifyLeaderReady() {
        getServer().thenAccept(server -> {
            try {
                listener.leaderReady(server.getDivision(getGroupId()).getInfo().getCurrentTerm());
            } catch (IOException e) {
                LOG.warn("Node {} became the metadata leader but cannot read its term: {}", nodeId, e.toString());
            }
        });
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        if (newLeader == null || !newLeader.equals(member.getPeerId())) {
            listener.resigned();
        }
        LOG.info("Node {}: metadata quorum leader is now {}", nodeId, newLeader == null ? "unknown" : newLeader);
    }

    static ByteString encode(List<MetadataRecord> records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * records.size() + 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(records.size());
            for (MetadataRecord record : records) {
                byte[] one = MetadataRecordSerde.serialize(record);
                out.writeInt(one.length);
                out.write(one);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return UnsafeByteOperations.unsafeWrap(bytes.toByteArray());
    }

    static List<MetadataRecord> decode(ByteString data) {
        try (DataInputStream in = new DataInputStream(data.newInput())) {
            int count = in.readInt();
            List<MetadataRecord> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] one = new byte[in.readInt()];
                in.readFully(one);
                records.add(MetadataRecordSerde.deserialize(new DataInputStream(new ByteArrayInputStream(one))));
            }
            return records;
        } catch (IOException e) {
            // A committed entry this version cannot read: applying past it would fork the image from the others'.
            throw new IllegalStateException("cannot decode a committed metadata batch: " + e.getMessage(), e);
        }
    }
}
